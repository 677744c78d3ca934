using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// The durable record of a fill in blocks (<see cref="UnfinishedFillHeader"/>): the blocks done so
/// far, at a path fixed per key (<see cref="UnfinishedFills.PathOf"/>), so that the next caller
/// after a kill computes only the missing ones. Held open with an exclusive flock from
/// <see cref="Open"/> to <see cref="Dispose"/>, so a reclaim never removes a file in use.
/// </summary>
/// <remarks>
/// Durability order, the invariant a resume relies on: a block's bytes are written and flushed
/// (fsync) before its table entry is written, and the entry is flushed before the next block
/// starts; an entry also holds the hash of its bytes, checked on resume. So a kill at any point
/// leaves entries only for blocks whose bytes are on disk. Only the caller holding the key's node
/// lock opens it. Not thread-safe.
/// </remarks>
internal sealed class UnfinishedFillFile : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly UnfinishedFillHeader _header;

    private UnfinishedFillFile(string path, SafeFileHandle file, UnfinishedFillHeader header, bool resumed)
    {
        Path = path;
        _file = file;
        _header = header;
        Resumed = resumed;
    }

    public string Path { get; }

    /// <summary>Whether a valid file of the same fill was found (rather than started anew).</summary>
    public bool Resumed { get; }

    /// <summary>
    /// Opens and locks the file at <paramref name="path"/>, creating it (mode 0600) if missing. A file
    /// that is not exactly the fill <paramref name="header"/> describes (another shape, type, key or
    /// block count, truncated, garbage) is emptied and started anew: it is never trusted, never fatal.
    /// </summary>
    /// <exception cref="IOException">The file cannot be created, locked or written.</exception>
    public static UnfinishedFillFile Open(string path, UnfinishedFillHeader header)
    {
        while (true)
        {
            SafeFileHandle file = LockedFile.Open(path);
            try
            {
                if (!LockedFile.StillNamed(file, path))
                {
                    file.Dispose(); // reclaimed while the lock was awaited: open the new name
                    continue;
                }

                bool valid = Matches(file, header);
                if (!valid)
                {
                    Start(file, header);
                }

                return new UnfinishedFillFile(path, file, header, resumed: valid);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Reads block <paramref name="index"/> into <paramref name="destination"/> if the table records it
    /// and its bytes still hash to the recorded value; false if it must be computed.
    /// </summary>
    public bool TryRead(int index, Span<byte> destination)
    {
        Span<byte> entry = stackalloc byte[UnfinishedFillHeader.EntryBytes];
        if (ReadFully(_file, entry, _header.EntryOffset(index)) != entry.Length || UnfinishedFillHeader.ReadEntry(entry) is not { } hash)
        {
            return false;
        }

        return ReadFully(_file, destination, _header.PayloadOffset + _header.Blocks.ByteOffset(index)) == destination.Length
            && XxHash3.HashToUInt64(destination) == hash;
    }

    /// <summary>Writes block <paramref name="index"/>'s bytes, flushes them, then records the block and flushes the record.</summary>
    /// <exception cref="IOException">A write or flush failed (ENOSPC, EIO); the block is not recorded.</exception>
    public void Record(int index, ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(_file, bytes, _header.PayloadOffset + _header.Blocks.ByteOffset(index));
        RandomAccess.FlushToDisk(_file); // the bytes before the mark that says they are there
        Span<byte> entry = stackalloc byte[UnfinishedFillHeader.EntryBytes];
        UnfinishedFillHeader.WriteEntry(entry, XxHash3.HashToUInt64(bytes));
        RandomAccess.Write(_file, entry, _header.EntryOffset(index));
        RandomAccess.FlushToDisk(_file);
    }

    /// <summary>Removes the file (the fill is committed), if its path still names it; the lock is held until <see cref="Dispose"/>.</summary>
    public void Delete()
    {
        if (LockedFile.StillNamed(_file, Path))
        {
            FileRemoval.TryDelete(Path);
        }
    }

    /// <summary>Closes the file and drops its lock; what it records stays for the next caller.</summary>
    public void Dispose() => _file.Dispose();

    private static bool Matches(SafeFileHandle file, UnfinishedFillHeader header)
    {
        if (RandomAccess.GetLength(file) != header.FileLength)
        {
            return false;
        }

        var prefix = new byte[header.Prefix.Length];
        return ReadFully(file, prefix, 0) == prefix.Length && prefix.AsSpan().SequenceEqual(header.Prefix);
    }

    /// <summary>Empties the file and writes a header with no block recorded; durable before any block is.</summary>
    private static void Start(SafeFileHandle file, UnfinishedFillHeader header)
    {
        RandomAccess.SetLength(file, 0); // drops every old entry and byte: zeros from here on
        RandomAccess.SetLength(file, header.FileLength);
        RandomAccess.Write(file, header.Prefix, 0);
        RandomAccess.FlushToDisk(file);
    }

    private static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int read = 0;
        while (read < buffer.Length && RandomAccess.Read(file, buffer[read..], offset + read) is int n and > 0)
        {
            read += n;
        }

        return read;
    }
}
