using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Osipy.MappedCache.Format;

/// <summary>
/// The NPY (version 1.0) header that makes a single-array segment a plain <c>.npy</c> file.
/// It is padded with spaces to one page so the payload starts page-aligned, which NumPy allows
/// (numpy/lib/format.py: the header ends in '\n' and its total length is a multiple of 64).
/// </summary>
internal static class NpyHeader
{
    public const int Size = SegmentLimits.PageSize;

    private const int PreambleLength = 10; // magic (6) + version (2) + header_len (2)

    /// <summary>0x93 then "NUMPY". (A u8 literal would encode U+0093 as two bytes.)</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a complete 4096-byte header for a C-order little-endian array.</summary>
    public static void Write(Span<byte> destination, DType dtype, ReadOnlySpan<long> shape)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("The NPY header needs a full page.", nameof(destination));
        }

        string dict = FormatDictionary(dtype, shape);
        destination[..Size].Fill((byte)' ');
        Magic.CopyTo(destination);
        destination[6] = 1;
        destination[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Size - PreambleLength);
        int written = Encoding.ASCII.GetBytes(dict, destination[PreambleLength..]);
        if (PreambleLength + written >= Size)
        {
            throw new ArgumentException("The shape is too long for an NPY header.", nameof(shape));
        }

        destination[Size - 1] = (byte)'\n';
    }

    /// <summary>numpy's own repr: <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.</summary>
    public static string FormatDictionary(DType dtype, ReadOnlySpan<long> shape)
    {
        var builder = new StringBuilder("{'descr': '").Append(DTypes.Descr(dtype)).Append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.Length; i++)
        {
            builder.Append(shape[i].ToString(CultureInfo.InvariantCulture));
            if (i < shape.Length - 1 || shape.Length == 1)
            {
                builder.Append(',');
            }

            if (i < shape.Length - 1)
            {
                builder.Append(' ');
            }
        }

        return builder.Append("), }").ToString();
    }

    /// <summary>
    /// Parses and validates a header written by <see cref="Write"/> or by NumPy: magic, version,
    /// length, grammar, a known little-endian dtype, C order, and a shape within bounds.
    /// </summary>
    /// <returns>null when valid, otherwise why not.</returns>
    public static string? TryParse(ReadOnlySpan<byte> header, out DType dtype, out long[] shape, out int headerLength)
    {
        dtype = default;
        shape = [];
        headerLength = 0;
        if (header.Length < PreambleLength || !header.StartsWith(Magic))
        {
            return "missing NPY magic";
        }

        if (header[6] != 1 || header[7] != 0)
        {
            return $"unsupported NPY version {header[6]}.{header[7]}";
        }

        int dictLength = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        headerLength = PreambleLength + dictLength;
        if (headerLength > header.Length)
        {
            return "NPY header longer than the bytes read";
        }

        ReadOnlySpan<byte> text = header[PreambleLength..headerLength];
        if (text.Length == 0 || text[^1] != (byte)'\n')
        {
            return "NPY header does not end in a newline";
        }

        foreach (byte b in text)
        {
            if (b is < 0x20 or > 0x7E && b != (byte)'\n')
            {
                return "NPY header is not printable ASCII";
            }
        }

        return NpyDictionaryParser.Parse(Encoding.ASCII.GetString(text), out dtype, out shape);
    }
}
