using Osipy.MappedCache.Cli.Synthesis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>The options of <c>demo</c>.</summary>
internal sealed record DemoOptions
{
    public VolumeSize Size { get; init; } = VolumeSize.Default;

    /// <summary>Null means the library's default directory.</summary>
    public string? CacheDir { get; init; }
}
