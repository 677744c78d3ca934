using System.Diagnostics;

namespace Osipy.MappedCache;

/// <summary>
/// Keeps the whole mapping under a lease mapped for as long as something outside the cache is
/// attached to its pages (a CUDA host registration, an RDMA memory region), and tells the holder
/// when the cache lets go of the mapping, so the attachment can be undone before the unmap.
/// </summary>
/// <remarks>
/// <para>Taken with <see cref="MappedArray.TryHoldMapping"/>. The rule it serves: attach after
/// taking the hold; undo the attachment, then <see cref="Dispose"/> the hold. The mapping cannot be
/// unmapped while the hold lives, so an attachment made under it never outlives the pages.</para>
/// <para>When the cache lets go of the mapping (the entry is evicted, invalidated, replaced,
/// expired, unmapped to bound the mapping count, or the cache is disposed), the holder's
/// <c>leaving</c> callback runs once, on the thread that let go, outside the cache's locks. It should
/// undo the attachment and dispose the hold (there or soon after, once transfers in flight end):
/// until then the mapping stays, and so do the pages it pins. A hold disposed before the cache lets
/// go is not called back.</para>
/// <para>All leases of one entry in a process share one mapping, so one attachment serves every
/// later get of the entry while the mapping stays: <see cref="Address"/> identifies it.</para>
/// <para>Thread-safe. The callback must not throw; an exception from it is traced and dropped, so
/// one holder's bug cannot stop the cache from letting go of its other mappings.</para>
/// </remarks>
public sealed class MappingHold : IDisposable
{
    private readonly Mapping.SegmentMapping _mapping;
    private readonly Action<MappingHold> _leaving;
    private int _disposed;

    private MappingHold(Mapping.SegmentMapping mapping, Action<MappingHold> leaving)
    {
        _mapping = mapping;
        _leaving = leaving;
    }

    /// <summary>
    /// The first byte (page-aligned) of the range to attach: the segment file mapped shared and
    /// read-only, once per mapping, beside the lease's private mapping. Offsets into it are the
    /// lease's offsets: the payload starts at the same distance from it.
    /// </summary>
    /// <remarks>
    /// Why not the lease's own pages: they are a private, copy-on-write mapping, and the kernel
    /// copies every such page before pinning it (even read-only), so a registration of a large
    /// segment took minutes; this mapping shares the page cache's pages, and pinning copies
    /// nothing. Its bytes are the file's, never this process's private writes through a view.
    /// </remarks>
    public nint Address => _mapping.SharedReadOnlyAddress;

    /// <summary>Bytes mapped from <see cref="Address"/>: the whole segment file, header and payload.</summary>
    public long Length => _mapping.Length;

    /// <summary>Where <paramref name="array"/>'s first element lies in the held range: what a device copy reads.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="array"/> is not a lease on the held mapping.</exception>
    /// <exception cref="ObjectDisposedException">The hold is disposed.</exception>
    public nint AddressOf(MappedArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (!ReferenceEquals(array.Mapping, _mapping))
        {
            throw new ArgumentException("The array is a lease on another mapping than the held one (another entry, or a later mapping of it).", nameof(array));
        }

        return Address + (nint)array.PayloadOffset;
    }

    /// <summary>The address of the lease's private mapping of the same file, which identifies the mapping among holds.</summary>
    internal nint PrivateAddress => _mapping.DangerousGetHandle();

    /// <summary>Whether the cache has let go of the mapping (the callback has been, or is being, called).</summary>
    public bool IsLeaving => _mapping.IsLeaving;

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>A hold on <paramref name="lease"/>'s mapping, or null when the cache has already let go of it (or its file is gone).</summary>
    internal static MappingHold? TryTake(Mapping.IMappingLease lease, Action<MappingHold> leaving)
    {
        ObjectDisposedException.ThrowIf(lease.IsDisposed, lease);
        var hold = new MappingHold(lease.Mapping, leaving);
        return lease.Mapping.TryAttach(hold) ? hold : null;
    }

    /// <summary>Called by the mapping once, when its owner lets go.</summary>
    internal void NotifyLeaving()
    {
        try
        {
            _leaving(this);
        }
        catch (Exception ex)
        {
            Trace.TraceError($"A MappingHold's leaving callback threw; the hold stays until it is disposed: {ex}");
        }
    }

    /// <summary>Releases the hold: the mapping may be unmapped once nothing else holds it. Undo any attachment first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _mapping.Detach(this);
        }
    }
}
