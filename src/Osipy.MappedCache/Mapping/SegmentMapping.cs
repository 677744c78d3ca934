using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Owns one mapping of a segment file: private (copy-on-write) for readers, shared for the
/// zero-copy writer. The mapping is unmapped
/// exactly once, when the last reference goes: the cache's own reference is dropped by
/// <see cref="SafeHandle.Dispose()"/>, and every lease holds one more through <see cref="AddLease"/>.
/// </summary>
/// <remarks>
/// Invariant: while any lease is alive, <see cref="SafeHandle.DangerousGetHandle"/> points at
/// <see cref="Length"/> readable and writable bytes. In a private mapping writes land in private
/// pages and never reach the file. Thread-safe: reference counting is SafeHandle's.
/// </remarks>
internal sealed partial class SegmentMapping : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>A PMD-mapped huge page: the unit in which the writer's mapping asks for huge pages.</summary>
    private const long HugePageBytes = 2L << 20;

    private readonly Lock _holdsGate = new();
    private readonly string _path;
    private readonly (uint Major, uint Minor, ulong Inode) _file;
    private List<MappingHold>? _holds;
    private bool _leaving;
    private nint _sharedReadOnly;
    private readonly bool _isSegment;
    private IDisposable? _companion;
    private int _leaseCount;

    private SegmentMapping(nint address, long length, string path, (uint, uint, ulong) file, bool isSegment)
        : base(ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
        _path = path;
        _file = file;
        _isSegment = isSegment;
        if (isSegment)
        {
            CacheMetrics.MappedBytesChanged(length);
        }
    }

    /// <summary>Bytes mapped, starting at file offset 0.</summary>
    public long Length { get; }

    /// <summary>Leases (and pinned memory handles) currently holding this mapping.</summary>
    public int LeaseCount => Volatile.Read(ref _leaseCount);

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="file"/> privately (copy-on-write).</summary>
    /// <exception cref="IOException">mmap failed.</exception>
    /// <remarks>With <c>prefault</c>, every page is read in now, so first accesses never fault.</remarks>
    public static SegmentMapping MapPrivate(SafeFileHandle file, long length, string pathForErrors, bool prefault = false)
    {
        SegmentMapping mapping = Map(file, length, Libc.MAP_PRIVATE, pathForErrors, isSegment: true);
        if (prefault)
        {
            mapping.Prefault();
        }

        return mapping;
    }

    /// <summary>
    /// Maps <paramref name="length"/> bytes of <paramref name="file"/> shared and writable: writes
    /// reach the file. Only for a segment being written, whose space is already reserved.
    /// </summary>
    /// <remarks>
    /// Asks for huge pages (MADV_HUGEPAGE): the pages of a new file are created by the writer's
    /// faults, and with the advice the page cache creates them 2 MiB at a time where the kernel
    /// and filesystem can, so filling takes fewer faults and readers map the result with 2 MiB
    /// pages. Where they cannot (or THP is off), the advice fails and is ignored. The advice
    /// covers only the whole 2 MiB pages of the range: a region that cannot be mapped with a
    /// 2 MiB page would still be given large folios, and each of its 4 KiB write faults then
    /// walks the whole folio's blocks (ext4's page_mkwrite), which made a 1 MiB fill 1.2 times
    /// slower (docs/PERFORMANCE.md, issue 22).
    /// </remarks>
    /// <exception cref="IOException">mmap failed.</exception>
    public static SegmentMapping MapShared(SafeFileHandle file, long length, string pathForErrors)
    {
        SegmentMapping mapping = Map(file, length, Libc.MAP_SHARED, pathForErrors, isSegment: true);
        long hugeLength = length & ~(HugePageBytes - 1);
        if (hugeLength > 0)
        {
            _ = Libc.Madvise(mapping.handle, (nuint)hugeLength, Libc.MADV_HUGEPAGE);
        }

        return mapping;
    }

    /// <summary>
    /// Maps <paramref name="length"/> bytes of a shared table (<see cref="SharedTable"/>) read-write
    /// and shared: small pages, and not a segment, so not counted in <c>osipy.cache.mapped_bytes</c>
    /// (which also keeps a session's open from recording a measurement: docs/DESIGN.md, "Metrics").
    /// </summary>
    /// <exception cref="IOException">mmap failed.</exception>
    public static SegmentMapping MapTable(SafeFileHandle file, long length, string pathForErrors) =>
        Map(file, length, Libc.MAP_SHARED, pathForErrors, isSegment: false);

    private static SegmentMapping Map(SafeFileHandle file, long length, int flags, string pathForErrors, bool isSegment)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            int fd = (int)file.DangerousGetHandle();
            nint address = Libc.Mmap(0, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, flags, fd, 0);
            if (address == Libc.MAP_FAILED)
            {
                throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "mmap", pathForErrors);
            }

            // Which file this is, so a read-only twin (below) can be made of this file and no other.
            (uint, uint, ulong) identity = Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) == 0
                ? (stat.DeviceMajor, stat.DeviceMinor, stat.Inode)
                : default;
            return new SegmentMapping(address, length, pathForErrors, identity, isSegment);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Takes one reference for a lease; fails if the mapping is already released.</summary>
    /// <exception cref="ObjectDisposedException">The mapping has been released.</exception>
    public void AddLease()
    {
        bool added = false;
        DangerousAddRef(ref added);
        Interlocked.Increment(ref _leaseCount);
    }

    /// <summary>
    /// Takes one reference for a lease unless the mapping is already unmapped. A mapping whose
    /// owner has let go of it but that other leases still hold can still be leased: its bytes are
    /// valid until the last reference goes.
    /// </summary>
    public bool TryAddLease()
    {
        try
        {
            AddLease();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // rare: only a lock-free hit racing the last release gets here
        }
    }

    /// <summary>Returns the reference taken by <see cref="AddLease"/>.</summary>
    public void ReleaseLease()
    {
        Interlocked.Decrement(ref _leaseCount);
        DangerousRelease();
    }

    /// <summary>
    /// Reads every page in and maps it for reading, sharing the page cache (no private copies).
    /// Falls back to asynchronous read-ahead on kernels older than 5.14.
    /// </summary>
    public void Prefault()
    {
        if (Libc.Madvise(handle, (nuint)Length, Libc.MADV_POPULATE_READ) != 0)
        {
            _ = Libc.Madvise(handle, (nuint)Length, Libc.MADV_WILLNEED);
        }
    }

    /// <summary>Passes an access hint for bytes [offset, offset + length) to the kernel; a no-op where it cannot.</summary>
    public void Advise(long offset, long length, int advice)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length - offset);
        if (length == 0)
        {
            return;
        }

        bool added = false;
        try
        {
            DangerousAddRef(ref added);

            // madvise wants a page-aligned start; widen the range down to the page boundary.
            long pageStart = offset / Environment.SystemPageSize * Environment.SystemPageSize;
            _ = Libc.Madvise(handle + (nint)pageStart, (nuint)(length + (offset - pageStart)), advice);
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="companion"/> (a raw copy's in-use lock) for as long as the file is
    /// mapped: it is disposed with the unmap, when the last lease or hold goes.
    /// </summary>
    public void KeepUntilUnmapped(IDisposable companion)
    {
        if (Interlocked.CompareExchange(ref _companion, companion, null) is not null)
        {
            throw new InvalidOperationException("The mapping already keeps a companion.");
        }
    }

    /// <summary>Whether the owner has let go (disposed) of this mapping; leases and holds may still keep it mapped.</summary>
    public bool IsLeaving
    {
        get
        {
            lock (_holdsGate)
            {
                return _leaving;
            }
        }
    }

    /// <summary>
    /// Attaches a hold, which keeps a reference until it is detached; fails once the owner has let
    /// go. A hold is not a lease: it never keeps the entry from eviction (the cache letting go is
    /// what the holder waits to hear), and it does not count in <see cref="LeaseCount"/>.
    /// </summary>
    /// <remarks>The caller holds a lease, so the reference count is above zero and the add cannot fail.</remarks>
    public bool TryAttach(MappingHold hold)
    {
        lock (_holdsGate)
        {
            if (_leaving || !TryMapSharedReadOnly())
            {
                return false;
            }

            bool added = false;
            DangerousAddRef(ref added);
            (_holds ??= []).Add(hold);
            return true;
        }
    }

    /// <summary>
    /// The same file mapped again, shared and read-only from a read-only descriptor, made on the
    /// first hold and unmapped with this mapping; 0 before. What holders attach to.
    /// </summary>
    /// <remarks>
    /// Why a second mapping: this one is private and writable, a copy-on-write mapping, and the
    /// kernel serves a long-term pin of such pages (what cudaHostRegister takes, even read-only)
    /// by first copying every page into private memory (GUP's "unshare" of COW pages), so
    /// registering a large segment took minutes. Pinning pages of a shared read-only mapping
    /// copies nothing: they are the page cache's, the same pages this mapping reads until written.
    /// So holders see the file's bytes, which this process's private writes (C# views) never change.
    /// </remarks>
    public nint SharedReadOnlyAddress
    {
        get
        {
            lock (_holdsGate)
            {
                return _sharedReadOnly;
            }
        }
    }

    // Under _holdsGate. Maps the path again only if it still names this very file (a put may have
    // renamed another over it, an invalidate unlinked it: then there is nothing to hold).
    private bool TryMapSharedReadOnly()
    {
        if (_sharedReadOnly != 0)
        {
            return true;
        }

        using SafeFileHandle? file = TryOpenSameFile();
        if (file is null)
        {
            return false;
        }

        nint address = Libc.Mmap(0, (nuint)Length, Libc.PROT_READ, Libc.MAP_SHARED, (int)file.DangerousGetHandle(), 0);
        if (address == Libc.MAP_FAILED)
        {
            return false;
        }

        _sharedReadOnly = address;
        return true;
    }

    /// <summary>The mapped file opened read-only again by its path, or null if the path now names another file or none.</summary>
    private SafeFileHandle? TryOpenSameFile()
    {
        int fd = Libc.Open(_path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0
            || (stat.DeviceMajor, stat.DeviceMinor, stat.Inode) != _file || (long)stat.Size < Length)
        {
            file.Dispose();
            return null;
        }

        return file;
    }

    /// <summary>Detaches a hold and returns its reference; the unmap happens here if it was the last.</summary>
    public void Detach(MappingHold hold)
    {
        lock (_holdsGate)
        {
            _holds?.Remove(hold);
        }

        DangerousRelease();
    }

    /// <summary>
    /// The owner lets go: holds attached now are told (outside the lock, so a callback may dispose
    /// its hold at once), then the owner's reference goes. Holds keep the mapping until they are
    /// disposed, so whatever they attached to the pages is undone before the unmap.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        List<MappingHold>? leaving = null;
        if (disposing)
        {
            lock (_holdsGate)
            {
                if (!_leaving)
                {
                    _leaving = true;
                    leaving = _holds;
                    _holds = null;
                }
            }
        }

        if (leaving is not null)
        {
            foreach (MappingHold hold in leaving)
            {
                hold.NotifyLeaving();
            }
        }

        base.Dispose(disposing);
    }

    protected override bool ReleaseHandle()
    {
        if (_isSegment)
        {
            CacheMetrics.MappedBytesChanged(-Length);
        }

        // No hold is left (each took a reference), so nothing is attached to the twin any more.
        bool twinUnmapped = _sharedReadOnly == 0 || Libc.Munmap(_sharedReadOnly, (nuint)Length) == 0;
        bool unmapped = Libc.Munmap(handle, (nuint)Length) == 0 && twinUnmapped;
        _companion?.Dispose(); // after the unmap: the copy is in use until its pages are gone
        return unmapped;
    }
}
