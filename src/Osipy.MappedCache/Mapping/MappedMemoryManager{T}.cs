using System.Buffers;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Exposes a range of a leased mapping as <see cref="Memory{T}"/>. It owns nothing: the lease owns
/// the mapping, and <see cref="Pin"/> takes its own reference so a pinned handle outlives neither.
/// </summary>
/// <remarks>No finalizer: unmapping belongs to <see cref="SegmentMapping"/>, never to a MemoryManager.</remarks>
internal sealed unsafe class MappedMemoryManager<T> : MemoryManager<T>
    where T : unmanaged
{
    private readonly IMappingLease _lease;
    private readonly long _byteOffset;
    private readonly int _length;

    public MappedMemoryManager(IMappingLease lease, long byteOffset, int length)
    {
        // Validates the range once, up front.
        _ = Pointer(lease, byteOffset, length);
        _lease = lease;
        _byteOffset = byteOffset;
        _length = length;
    }

    public override Span<T> GetSpan() => new(Pointer(_lease, _byteOffset, _length), _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        T* start = Pointer(_lease, _byteOffset, _length);
        _lease.Mapping.AddLease();
        return new MemoryHandle(start + elementIndex, default, this);
    }

    public override void Unpin() => _lease.Mapping.ReleaseLease();

    protected override void Dispose(bool disposing)
    {
        // The lease, not this manager, owns the mapping.
    }

    private static T* Pointer(IMappingLease lease, long byteOffset, int length)
    {
        ObjectDisposedException.ThrowIf(lease.IsDisposed, lease);
        return lease.Mapping.PointerAt<T>(byteOffset, length);
    }
}
