using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>What a file in a store's type directories is, for the disk budget.</summary>
internal enum DiskFileKind
{
    /// <summary>A published segment: an entry's file.</summary>
    Segment,

    /// <summary>A node's raw copy of a compressed entry.</summary>
    RawCopy,

    /// <summary>A temporary file: a write in progress (its reserved space counts), or one a dead session left.</summary>
    Temporary,

    /// <summary>Anything else found in a type directory: counted, never removed.</summary>
    Other,
}

/// <summary>One file of the cache and the disk space it takes (allocated blocks, so reserved space counts).</summary>
/// <remarks>A class, not a struct: lists and queries over a reference type run the runtime's shared,
/// precompiled generic code, where a struct makes a new process JIT-compile each of them at open
/// (docs/PERFORMANCE.md, "a new process's first get").</remarks>
internal sealed record DiskFile(string Path, DiskFileKind Kind, long Bytes, FileIdentity Identity);

/// <summary>
/// The files of a cache's stores as the disk budget counts them: every file in the type
/// directories (segments, raw copies, temporaries), by allocated blocks, so the space a write in
/// progress has reserved counts before it is written. Housekeeping (sessions, locks, the shared
/// tables, the quarantine, which its own count bounds) is not counted.
/// </summary>
internal static class DiskUsage
{
    /// <summary>Lists the stores' files; one statx each, no file opened.</summary>
    /// <remarks>Each file once, by its inode: a listing that races a rename (a temporary file published
    /// under its final name) may meet the file under both names.</remarks>
    public static List<DiskFile> List(IEnumerable<SegmentStore> stores)
    {
        var files = new List<DiskFile>();
        var seen = new HashSet<Inode>();
        foreach (SegmentStore store in stores.DistinctBy(store => store.Root))
        {
            foreach (FileInfo file in store.EnumerateEverything())
            {
                if (Libc.Statx(Libc.AT_FDCWD, file.FullName, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0
                    || stat.FileType != Libc.S_IFREG)
                {
                    continue; // gone since the listing, or not a file of ours
                }

                FileIdentity identity = FileIdentity.From(stat);
                if (seen.Add(new Inode(identity.Device, identity.Inode)))
                {
                    files.Add(new DiskFile(file.FullName, KindOf(file.Name), (long)stat.Blocks * 512, identity));
                }
            }
        }

        return files;
    }

    /// <summary>A file's identity for the listing's set; a class for the reason <see cref="DiskFile"/> is one.</summary>
    private sealed record Inode(ulong Device, ulong Number);

    private static DiskFileKind KindOf(string name) =>
        name.StartsWith('.') ? DiskFileKind.Temporary
        : RawCopyFile.IsRawCopyName(name) ? DiskFileKind.RawCopy
        : SegmentStore.IsSegmentFileName(name) ? DiskFileKind.Segment
        : DiskFileKind.Other;
}
