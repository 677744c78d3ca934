using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Legacy;

/// <summary>
/// The .npy header at the start of an .npz member (numpy/lib/format.py): versions 1.0 to 3.0,
/// the dict read by the store's own strict parser (nothing evaluated), the descr kept as written.
/// </summary>
/// <param name="Descr">numpy's dtype string, e.g. "&lt;f4", "&lt;U12", "|O".</param>
/// <param name="FortranOrder">Whether the payload is in Fortran order.</param>
/// <param name="Shape">numpy's shape.</param>
/// <param name="Length">Bytes from the member's start to its payload.</param>
internal sealed record NpzMemberHeader(string Descr, bool FortranOrder, long[] Shape, int Length)
{
    /// <summary>numpy refuses larger headers unless told otherwise (its max_header_size is 10,000); this is ample.</summary>
    private const int MaxDictionaryBytes = 64 * 1024;

    private static readonly Encoding s_strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether the member holds pickled Python objects (dtype 'O'), which are never unpickled.</summary>
    public bool IsObject => Descr.Length >= 2 && Descr[1] == 'O';

    /// <summary>Reads the header from the start of a member.</summary>
    /// <exception cref="LegacyFormatException">Not an .npy header, or one this parser refuses; the message says why.</exception>
    public static NpzMemberHeader Read(NpzMemberReader reader, string member)
    {
        Span<byte> preamble = stackalloc byte[12];
        reader.ReadExactly(preamble[..8]);
        if (!preamble[..6].SequenceEqual(NpyHeader.Magic))
        {
            throw new LegacyFormatException($"member '{member}' is not a .npy (no \\x93NUMPY magic)");
        }

        int major = preamble[6];
        if (major is < 1 or > 3 || preamble[7] != 0)
        {
            throw new LegacyFormatException($"member '{member}' is .npy version {major}.{preamble[7]} (1.0 to 3.0 are read)");
        }

        int prefix = major == 1 ? 10 : 12;
        reader.ReadExactly(preamble[8..prefix]);
        long length = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        if (length is 0 or > MaxDictionaryBytes)
        {
            throw new LegacyFormatException($"member '{member}' has a .npy header of {length} bytes (at most {MaxDictionaryBytes} are read)");
        }

        byte[] text = new byte[length];
        reader.ReadExactly(text);
        string dictionary;
        try
        {
            // Versions 1 and 2 write the dict in Latin-1, version 3 in UTF-8.
            dictionary = major == 3 ? s_strictUtf8.GetString(text) : Encoding.Latin1.GetString(text);
        }
        catch (DecoderFallbackException)
        {
            throw new LegacyFormatException($"member '{member}' has a .npy 3.0 header that is not UTF-8");
        }

        if (dictionary[^1] != '\n')
        {
            throw new LegacyFormatException($"member '{member}' has a .npy header that does not end in a newline");
        }

        if (NpyDictionaryParser.ParseForeign(dictionary, out string descr, out bool fortran, out long[] shape) is { } error)
        {
            throw new LegacyFormatException($"member '{member}' has a malformed .npy header: {error}");
        }

        return new NpzMemberHeader(descr, fortran, shape, checked(prefix + (int)length));
    }

    /// <summary>The character count of a numpy unicode descr ("&lt;U12" is 12), or -1 if it is not one.</summary>
    public int UnicodeLength() =>
        Descr.Length > 2 && Descr[0] is '<' or '|' && Descr[1] == 'U'
            && int.TryParse(Descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int chars) ? chars : -1;
}
