namespace Osipy.MappedCache.Native;

/// <summary>
/// What osipy_cache_create hands to C as an <c>osipy_writer</c>: the writer, with its data
/// registered for osipy_cache_keep_memory until the commit or abandon.
/// </summary>
internal sealed class NativeWriter(IUntypedWriter writer, IDisposable registration) : IDisposable
{
    /// <summary>Publishes the array; kept memory becomes private first (<see cref="Mapping.SegmentMapping.LetGoOfShared"/>).</summary>
    public void Commit()
    {
        registration.Dispose();
        writer.CommitUntyped().Dispose();
    }

    /// <summary>Abandons the array unless committed.</summary>
    public void Dispose()
    {
        registration.Dispose();
        writer.Dispose();
    }
}
