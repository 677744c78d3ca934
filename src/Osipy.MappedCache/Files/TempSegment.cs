using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Osipy.MappedCache.Files;

/// <summary>
/// A segment file being written: <c>.tmp-&lt;session&gt;-&lt;random&gt;</c> beside its final name, created
/// O_CREAT|O_EXCL with mode 0600. It becomes a segment only through <see cref="SegmentPublisher"/>,
/// which renames it over the final name; disposing an unpublished one deletes it.
/// </summary>
/// <remarks>
/// The descriptor stays open after publication, so the writer can map exactly the bytes it
/// published, whatever another process renames over the name afterwards. Not thread-safe.
/// </remarks>
internal sealed class TempSegment : IDisposable
{
    /// <summary>Temporary files start with this, so directory scans can tell them from segments.</summary>
    public const string Prefix = ".tmp-";

    private readonly FileStream _file;
    private bool _unlinked;

    private TempSegment(string path, FileStream file)
    {
        Path = path;
        _file = file;
    }

    /// <summary>The temporary name until published, then the segment's final name.</summary>
    public string Path { get; private set; }

    public bool IsPublished { get; private set; }

    public SafeFileHandle Handle => _file.SafeFileHandle;

    /// <summary>
    /// Creates the file in <paramref name="directory"/> and reserves <paramref name="reserveBytes"/>
    /// (posix_fallocate), so a full disk fails here rather than at a later write or page fault.
    /// </summary>
    /// <exception cref="IOException">The file cannot be created or the space reserved (for example ENOSPC); nothing is left behind.</exception>
    public static TempSegment Create(string directory, string sessionId, long reserveBytes)
    {
        string path = System.IO.Path.Combine(directory, Prefix + sessionId + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            PreallocationSize = reserveBytes,
        };
        try
        {
            return new TempSegment(path, new FileStream(path, options));
        }
        catch (IOException ex) when (File.Exists(path))
        {
            FileRemoval.TryDelete(path);
            throw new IOException($"Cannot reserve {reserveBytes} bytes for a segment in '{directory}': {ex.Message}", ex);
        }
    }

    public void SetLength(long length) => RandomAccess.SetLength(Handle, length);

    public void Write(ReadOnlySpan<byte> bytes, long offset) => RandomAccess.Write(Handle, bytes, offset);

    /// <summary>Renames the file over <paramref name="finalPath"/> (rename(2), atomic). Only the publisher calls this, under the key's lock.</summary>
    internal void RenameTo(string finalPath)
    {
        ObjectDisposedException.ThrowIf(IsPublished || _unlinked, this);
        File.Move(Path, finalPath, overwrite: true);
        Path = finalPath;
        IsPublished = true;
    }

    /// <summary>Removes the temporary name now, keeping the descriptor: for private copies nothing else may ever open.</summary>
    public void Unlink()
    {
        FileRemoval.Delete(Path);
        _unlinked = true;
    }

    public void Dispose()
    {
        _file.Dispose();
        if (!IsPublished && !_unlinked)
        {
            FileRemoval.TryDelete(Path);
        }
    }
}
