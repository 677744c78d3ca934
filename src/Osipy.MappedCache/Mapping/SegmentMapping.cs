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
internal sealed class SegmentMapping : SafeHandleZeroOrMinusOneIsInvalid
{
    private int _leaseCount;

    private SegmentMapping(nint address, long length)
        : base(ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
        CacheMetrics.MappedBytesChanged(length);
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
        SegmentMapping mapping = Map(file, length, Libc.MAP_PRIVATE, pathForErrors);
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
    /// pages. Where they cannot (or THP is off), the advice fails and is ignored.
    /// </remarks>
    /// <exception cref="IOException">mmap failed.</exception>
    public static SegmentMapping MapShared(SafeFileHandle file, long length, string pathForErrors, bool hugePages = true)
    {
        SegmentMapping mapping = Map(file, length, Libc.MAP_SHARED, pathForErrors);
        if (hugePages)
        {
            _ = Libc.Madvise(mapping.handle, (nuint)length, Libc.MADV_HUGEPAGE);
        }

        return mapping;
    }

    private static SegmentMapping Map(SafeFileHandle file, long length, int flags, string pathForErrors)
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

            return new SegmentMapping(address, length);
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

    protected override bool ReleaseHandle()
    {
        CacheMetrics.MappedBytesChanged(-Length);
        return Libc.Munmap(handle, (nuint)Length) == 0;
    }
}
