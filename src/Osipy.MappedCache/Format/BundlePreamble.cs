namespace Osipy.MappedCache.Format;

/// <summary>
/// The first page of a bundle or compressed segment. These are not NPY files; the preamble says
/// what the file is to anyone who opens it with a hex viewer.
/// </summary>
internal static class BundlePreamble
{
    public static ReadOnlySpan<byte> Magic => "OSIPYBUNDLE\n"u8;

    /// <summary>The first page of a compressed segment, which is not an NPY file either.</summary>
    public static ReadOnlySpan<byte> CompressedMagic => "OSIPYZSEG\n"u8;

    public static void Write(Span<byte> page, SegmentKind kind = SegmentKind.Bundle)
    {
        page.Clear();
        (kind == SegmentKind.Compressed ? CompressedMagic : Magic).CopyTo(page);
    }

    public static bool IsValid(ReadOnlySpan<byte> page, SegmentKind kind = SegmentKind.Bundle)
    {
        ReadOnlySpan<byte> magic = kind == SegmentKind.Compressed ? CompressedMagic : Magic;
        return page.Length == SegmentLimits.PageSize && page.StartsWith(magic) && !page[magic.Length..].ContainsAnyExcept((byte)0);
    }
}
