using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// A file of 64-bit slots in a cache directory, mapped shared by every session and process on it
/// (<c>generations</c>, <c>last-use</c>; docs/FORMAT.md). Opened (and created, 0600, never through a
/// symlink) once per file per process and never unmapped: hits read it without taking a
/// reference, so it must outlive every session.
/// </summary>
/// <remarks>
/// Where the file cannot be created or mapped writable (a read-only directory, another user's
/// file), <see cref="ForDirectory"/> returns null and the caller works without it. The file only
/// grows; truncating it from outside while it is mapped kills the sessions with SIGBUS, as for
/// segments (docs/DESIGN.md, "Caveats").
/// </remarks>
internal sealed unsafe class SharedTable
{
    private static readonly Dictionary<FileKey, SharedTable> s_open = [];
    private static readonly Lock s_openGate = new();

    private readonly SegmentMapping _mapping;
    private readonly long* _slots;

    private SharedTable(SegmentMapping mapping, int count)
    {
        // Referenced (so never finalized) and never disposed: the address stays valid for the process's life.
        _mapping = mapping;
        _slots = (long*)mapping.DangerousGetHandle();
        Count = count;
    }

    public int Count { get; }

    /// <summary>The table <paramref name="fileName"/> of <paramref name="count"/> slots in <paramref name="directory"/>, or null where it cannot be had.</summary>
    public static SharedTable? ForDirectory(string directory, string fileName, int count)
    {
        lock (s_openGate)
        {
            // Already open in this process (the common case: a new session on a known directory)?
            string path = Path.Combine(directory, fileName);
            if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer known) == 0
                && s_open.TryGetValue(new FileKey(known.DeviceMajor, known.DeviceMinor, known.Inode), out SharedTable? open) && open.Count >= count)
            {
                return open;
            }

            if (Open(path, count, out FileKey? key) is not { } mapping || key is null)
            {
                return null;
            }

            if (s_open.TryGetValue(key, out SharedTable? existing) && existing.Count >= count)
            {
                mapping.Dispose(); // not yet shared with anyone
                return existing;
            }

            var table = new SharedTable(mapping, count);
            s_open[key] = table;
            return table;
        }
    }

    /// <summary>Slot <paramref name="index"/> (taken modulo the count).</summary>
    public ref long this[int index] => ref _slots[(uint)index % (uint)Count];

    private static SegmentMapping? Open(string path, int count, out FileKey? key)
    {
        key = null;
        long length = (long)count * sizeof(long);
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0)
        {
            return null;
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0
                || stat.FileType != Libc.S_IFREG || stat.Uid != Libc.Geteuid())
            {
                return null;
            }

            if ((long)stat.Size < length)
            {
                RandomAccess.SetLength(file, length); // concurrent creators all grow it to the same size
            }

            key = new FileKey(stat.DeviceMajor, stat.DeviceMinor, stat.Inode);
            return SegmentMapping.MapTable(file, length, path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A table file's identity. A class: a dictionary over a reference-type key runs the
    /// runtime's precompiled shared code; over a struct, a new process JIT-compiles it at open.</summary>
    private sealed record FileKey(uint DeviceMajor, uint DeviceMinor, ulong Inode);
}
