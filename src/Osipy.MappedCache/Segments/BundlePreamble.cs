namespace Osipy.MappedCache.Segments;

/// <summary>
/// The first page of a bundle segment. Bundles hold several arrays, so they are not NPY files;
/// the preamble says what the file is to anyone who opens it with a hex viewer.
/// </summary>
internal static class BundlePreamble
{
    public static ReadOnlySpan<byte> Magic => "OSIPYBUNDLE\n"u8;

    public static void Write(Span<byte> page)
    {
        page.Clear();
        Magic.CopyTo(page);
    }

    public static bool IsValid(ReadOnlySpan<byte> page) =>
        page.Length == SegmentLimits.PageSize && page.StartsWith(Magic) && !page[Magic.Length..].ContainsAnyExcept((byte)0);
}
