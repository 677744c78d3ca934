using System.IO.Compression;
using System.IO.Hashing;

namespace Osipy.MappedCache.Legacy;

/// <summary>
/// Reads one member of an .npz (a zip entry) front to back, checking it as it goes: a stream that
/// ends early or is corrupt deflate is a <see cref="LegacyFormatException"/>, and
/// <see cref="Finish"/> checks that exactly the entry's stated size was read and that its CRC-32
/// matches the zip directory's.
/// </summary>
/// <remarks>Not thread-safe. Dispose it to close the entry's stream.</remarks>
internal sealed class NpzMemberReader : IDisposable
{
    private readonly ZipArchiveEntry _entry;
    private readonly Stream _stream;
    private readonly Crc32 _crc = new();
    private long _read;

    private NpzMemberReader(ZipArchiveEntry entry, Stream stream)
    {
        _entry = entry;
        _stream = stream;
    }

    /// <summary>Opens <paramref name="entry"/>'s data.</summary>
    /// <exception cref="LegacyFormatException">The entry's local header is unreadable (an unsupported compression method, say).</exception>
    public static NpzMemberReader Open(ZipArchiveEntry entry)
    {
        try
        {
            return new NpzMemberReader(entry, entry.Open());
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' cannot be opened ({ex.Message})", ex);
        }
    }

    /// <summary>The bytes read so far.</summary>
    public long Position => _read;

    /// <summary>Fills <paramref name="buffer"/> from the member.</summary>
    /// <exception cref="LegacyFormatException">The member ends first or is corrupt.</exception>
    public void ReadExactly(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new LegacyFormatException($"member '{_entry.FullName}' is corrupt ({ex.Message})", ex);
        }

        _crc.Append(buffer[..read]);
        _read += read;
        if (read < buffer.Length)
        {
            throw new LegacyFormatException($"member '{_entry.FullName}' ends after {_read} bytes; {_entry.Length} were stated");
        }
    }

    /// <summary>Checks that the whole member was read, no more, and that its CRC-32 is the stated one.</summary>
    /// <exception cref="LegacyFormatException">A byte too many or too few, or a checksum mismatch.</exception>
    public void Finish()
    {
        Span<byte> probe = stackalloc byte[1];
        int extra;
        try
        {
            extra = _stream.Read(probe);
        }
        catch (InvalidDataException ex)
        {
            throw new LegacyFormatException($"member '{_entry.FullName}' is corrupt ({ex.Message})", ex);
        }

        if (extra != 0 || _read != _entry.Length)
        {
            throw new LegacyFormatException($"member '{_entry.FullName}' holds more than the {_read} bytes its .npy header accounts for");
        }

        if (_crc.GetCurrentHashAsUInt32() != _entry.Crc32)
        {
            throw new LegacyFormatException($"member '{_entry.FullName}' fails its CRC-32 check");
        }
    }

    public void Dispose() => _stream.Dispose();
}
