using System.IO.Compression;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Legacy;

/// <summary>Receives an array's bytes, C order, a piece at a time; a piece is valid only during the call.</summary>
internal delegate void PieceSink(ReadOnlySpan<byte> piece);

/// <summary>
/// One array of an osipy .npz (its <c>data</c> member, or a <c>data_&lt;name&gt;</c> one), checked
/// when the file was opened: a dtype the cache holds, sizes that add up. <see cref="CopyTo"/> reads it.
/// </summary>
/// <remarks>Valid while its <see cref="OsipyNpzFile"/> is open. Not thread-safe.</remarks>
internal sealed class OsipyNpzArray
{
    /// <summary>Pieces handed on at once: a multiple of every item size.</summary>
    private const int PieceBytes = 1 << 20;

    private readonly ZipArchiveEntry _entry;
    private readonly NpzMemberHeader _header;

    private OsipyNpzArray(string name, ZipArchiveEntry entry, NpzMemberHeader header, DType dtype, long payloadLength)
    {
        Name = name;
        _entry = entry;
        _header = header;
        DType = dtype;
        PayloadLength = payloadLength;
    }

    /// <summary>The bundle's name for it (the dict key); empty for the single <c>data</c> array.</summary>
    public string Name { get; }

    public DType DType { get; }

    /// <summary>numpy's shape (C order whatever the file's order).</summary>
    public long[] Shape => _header.Shape;

    public long PayloadLength { get; }

    /// <summary>Checks an array member's header against the cache's rules and the zip's stated sizes.</summary>
    /// <exception cref="LegacyFormatException">An object array, an unsupported dtype, or sizes that do not add up.</exception>
    public static OsipyNpzArray Describe(string name, ZipArchiveEntry entry, NpzMemberHeader header)
    {
        if (header.IsObject)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' is an object array (pickled Python objects), which is never unpickled");
        }

        if (!DTypes.TryParseDescr(header.Descr, out DType dtype))
        {
            throw new LegacyFormatException($"member '{entry.FullName}' has dtype '{header.Descr}', which the cache cannot hold (little-endian numbers and bools)");
        }

        long payload;
        try
        {
            payload = SegmentLayout.PayloadLength(dtype, header.Shape);
        }
        catch (OverflowException)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' has a shape whose size overflows");
        }

        if (entry.Length != header.Length + payload)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' is {entry.Length} bytes; its header and shape need {header.Length + payload}");
        }

        if (header.FortranOrder && header.Shape.Length > 1 && payload > Array.MaxLength)
        {
            // Reordered in memory, in one managed array.
            throw new LegacyFormatException($"member '{entry.FullName}' is a Fortran-order array over {Array.MaxLength} bytes, which is not reordered");
        }

        return new OsipyNpzArray(name, entry, header, dtype, payload);
    }

    /// <summary>Reads the payload and hands it to <paramref name="sink"/> in C order; the member's size and CRC-32 are checked at the end.</summary>
    /// <remarks>
    /// A C-order payload streams through one piece-sized buffer; a Fortran-order one is read whole
    /// and reordered. If this throws, the sink may have received part of the array: discard it.
    /// </remarks>
    /// <exception cref="LegacyFormatException">The member is truncated, corrupt, or fails its checksum.</exception>
    public void CopyTo(PieceSink sink)
    {
        using NpzMemberReader reader = NpzMemberReader.Open(_entry);
        reader.ReadExactly(new byte[_header.Length]); // the header, read again (and checksummed)
        int itemSize = DTypes.ItemSize(DType);
        if (_header.FortranOrder && Shape.Length > 1)
        {
            byte[] fortran = new byte[PayloadLength];
            reader.ReadExactly(fortran);
            reader.Finish(); // checked whole before any of it is handed on
            FortranToC.Emit(fortran, Shape, itemSize, PieceBytes, sink);
            return;
        }

        byte[] piece = new byte[(int)Math.Min(PieceBytes, Math.Max(PayloadLength, 1))];
        for (long left = PayloadLength; left > 0;)
        {
            Span<byte> next = piece.AsSpan(0, (int)Math.Min(left, piece.Length));
            reader.ReadExactly(next);
            sink(next);
            left -= next.Length;
        }

        reader.Finish();
    }
}
