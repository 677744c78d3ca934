namespace Osipy.MappedCache.Tests.Formats;

/// <summary>An <see cref="IProgress{T}"/> that records each report on the caller's thread (Progress&lt;T&gt; posts them later).</summary>
internal sealed class RecordingProgress : IProgress<long>
{
    public List<long> Reports { get; } = [];

    public void Report(long value) => Reports.Add(value);
}
