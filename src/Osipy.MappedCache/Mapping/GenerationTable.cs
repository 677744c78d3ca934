using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Counters shared by every session and process on a cache directory: <c>&lt;cache&gt;/generations</c>,
/// mapped shared, one 64-bit counter per key bucket. Whatever changes the file a key's name holds
/// (publish, remove, quarantine, reclaim) bumps the key's counter after the change, under the
/// key's lock; a get compares the counter with the value it saw when it admitted the entry, and
/// trusts its table only if nothing changed.
/// </summary>
/// <remarks>
/// <para>A hit costs one read of shared memory. Counters are bumped with a locked add, which is
/// atomic across processes on a shared mapping.</para>
/// <para>Where the file cannot be created or mapped writable (a read-only directory), the table is
/// <see cref="Unavailable"/>: every read returns a fresh value, so each get re-checks the file
/// with a statx instead. The file only grows; truncating it from outside while it is mapped
/// kills the sessions with SIGBUS, as for segments (docs/DESIGN.md, "Caveats").</para>
/// </remarks>
internal sealed unsafe class GenerationTable
{
    public const string FileName = "generations";

    // One table per cache directory per process, never unmapped: a hit reads it without taking a
    // reference, so it must outlive every session (64 KiB of address space per directory).
    private static readonly Dictionary<FileIdentityKey, GenerationTable> s_open = [];
    private static readonly Lock s_openGate = new();

    private readonly SegmentMapping? _mapping;
    private readonly long* _counters;
    private readonly int _count;
    private long _fallback;

    private GenerationTable(SegmentMapping? mapping, int count)
    {
        _mapping = mapping;
        _count = count;
        _counters = mapping is null ? null : (long*)mapping.DangerousGetHandle();
    }

    /// <summary>A table that never vouches for an entry: every read differs from the last.</summary>
    public static GenerationTable Unavailable(int count) => new(null, count);

    public bool IsShared => _mapping is not null;

    /// <summary>The table of <paramref name="count"/> counters in <paramref name="directory"/>, opened (and created) once per process.</summary>
    /// <returns>The shared table, or <see cref="Unavailable"/> when the file cannot be created or mapped.</returns>
    public static GenerationTable ForDirectory(string directory, int count)
    {
        lock (s_openGate)
        {
            // Already open in this process (the common case: a new session on a known directory)?
            string path = Path.Combine(directory, FileName);
            if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer known) == 0
                && s_open.TryGetValue(new FileIdentityKey(known.DeviceMajor, known.DeviceMinor, known.Inode), out GenerationTable? open))
            {
                return open;
            }

            GenerationTable table = Open(directory, count, out FileIdentityKey? key);
            if (key is not { } found)
            {
                return table;
            }

            if (s_open.TryGetValue(found, out GenerationTable? existing))
            {
                table._mapping?.Dispose(); // not yet shared with anyone
                return existing;
            }

            s_open.Add(found, table);
            return table;
        }
    }

    private static GenerationTable Open(string directory, int count, out FileIdentityKey? key)
    {
        key = null;
        string path = Path.Combine(directory, FileName);
        long length = (long)count * sizeof(long);
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0)
        {
            return Unavailable(count);
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0
                || stat.FileType != Libc.S_IFREG || stat.Uid != Libc.Geteuid())
            {
                return Unavailable(count);
            }

            if ((long)stat.Size < length)
            {
                RandomAccess.SetLength(file, length); // concurrent creators all grow it to the same size
            }

            key = new FileIdentityKey(stat.DeviceMajor, stat.DeviceMinor, stat.Inode);
            return new GenerationTable(SegmentMapping.MapShared(file, length, path, hugePages: false), count);
        }
        catch (IOException)
        {
            return Unavailable(count);
        }
    }

    /// <summary>The current value of <paramref name="bucket"/>'s counter.</summary>
    public long Read(int bucket)
    {
        if (_counters is null)
        {
            return Interlocked.Increment(ref _fallback);
        }

        return Volatile.Read(ref _counters[(uint)bucket % (uint)_count]);
    }

    /// <summary>Advances <paramref name="bucket"/>'s counter; call after the change, under the key's lock.</summary>
    public void Bump(int bucket)
    {
        if (_counters is not null)
        {
            Interlocked.Increment(ref _counters[(uint)bucket % (uint)_count]);
        }
    }

    private readonly record struct FileIdentityKey(uint DeviceMajor, uint DeviceMinor, ulong Inode);
}
