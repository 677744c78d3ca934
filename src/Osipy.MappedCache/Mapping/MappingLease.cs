using System.Diagnostics;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// One reference on a <see cref="SegmentMapping"/> for the cache's own uses (loading, uploading,
/// publishing); a get's lease is the <see cref="MappedArray"/> itself. Every accessor checks bounds
/// against the mapping and fails once the lease is disposed.
/// </summary>
/// <remarks>
/// Spans handed out stay valid only while the lease is alive: that is the rule a caller of
/// <see cref="MappedArray{T}"/> must follow, as with any pooled memory.
/// </remarks>
internal sealed class MappingLease : IMappingLease, IDisposable
{
    private readonly SegmentMapping _mapping;
    private int _disposed;

    public MappingLease(SegmentMapping mapping)
    {
        mapping.AddLease();
        _mapping = mapping;
    }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public SegmentMapping Mapping => _mapping;

    /// <summary>A span of <paramref name="length"/> elements starting <paramref name="byteOffset"/> bytes into the file.</summary>
    public Span<T> GetSpan<T>(long byteOffset, int length)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _mapping.SpanAt<T>(byteOffset, length);
    }

    /// <summary><paramref name="length"/> bytes at <paramref name="byteOffset"/> as a <see cref="ByteSource"/>, valid while this lease lives.</summary>
    public ByteSource AsByteSource(long byteOffset, long length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _mapping.BytesAt(byteOffset, length);
    }

    /// <summary>XxHash3 of <paramref name="length"/> bytes from <paramref name="byteOffset"/>.</summary>
    public ulong Checksum(long byteOffset, long length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _mapping.ChecksumOf(byteOffset, length);
    }

    /// <summary>
    /// Gives this lease's reference to a new owner (a <see cref="MappedArray"/>, which releases it
    /// when disposed) and leaves this lease disposed without releasing it.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The lease is already disposed or handed over.</exception>
    public SegmentMapping HandOver()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            throw new ObjectDisposedException(nameof(MappingLease));
        }

        Debug.Assert(_mapping.LeaseCount > 0, "the lease's reference is still counted");
        return _mapping;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _mapping.ReleaseLease();
        }
    }
}
