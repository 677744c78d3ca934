using System.Diagnostics;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// One reference on a <see cref="SegmentMapping"/>, and the only way safe code reaches the mapped
/// bytes. Every accessor checks bounds against the mapping and fails once the lease is disposed.
/// </summary>
/// <remarks>
/// Spans handed out stay valid only while the lease is alive: that is the rule a caller of
/// <see cref="MappedArray{T}"/> must follow, as with any pooled memory.
/// </remarks>
internal sealed unsafe class MappingLease : IDisposable
{
    private readonly SegmentMapping _mapping;
    private int _disposed;

    public MappingLease(SegmentMapping mapping)
    {
        mapping.AddLease();
        _mapping = mapping;
    }

    private MappingLease(SegmentMapping mapping, bool referenceTaken)
    {
        Debug.Assert(referenceTaken, "the caller took the lease's reference");
        _mapping = mapping;
    }

    /// <summary>A lease on <paramref name="mapping"/>, or null if it has already been unmapped (a lock-free hit lost a race).</summary>
    public static MappingLease? TryTake(SegmentMapping mapping) =>
        mapping.TryAddLease() ? new MappingLease(mapping, referenceTaken: true) : null;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public SegmentMapping Mapping => _mapping;

    /// <summary>A span of <paramref name="length"/> elements starting <paramref name="byteOffset"/> bytes into the file.</summary>
    public Span<T> GetSpan<T>(long byteOffset, int length)
        where T : unmanaged
    {
        return new Span<T>(GetPointer<T>(byteOffset, length), length);
    }

    /// <summary>A reference to the element <paramref name="byteOffset"/> bytes into the file, for 2D views.</summary>
    public ref T GetReference<T>(long byteOffset, long length)
        where T : unmanaged
    {
        return ref *GetPointer<T>(byteOffset, length);
    }

    /// <summary>The address of <paramref name="length"/> bytes at <paramref name="byteOffset"/>, bounds-checked, for the C ABI.</summary>
    public nint GetAddress(long byteOffset, long length) => (nint)GetPointer<byte>(byteOffset, length);

    /// <summary>The address of <paramref name="length"/> elements at <paramref name="byteOffset"/>, bounds-checked.</summary>
    internal T* GetPointer<T>(long byteOffset, long length)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(byteOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = checked(length * sizeof(T));
        if (byteOffset > _mapping.Length - bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The requested range lies outside the mapped segment.");
        }

        return (T*)((byte*)_mapping.DangerousGetHandle() + byteOffset);
    }

    /// <summary><paramref name="length"/> bytes at <paramref name="byteOffset"/> as a <see cref="ByteSource"/>, valid while this lease lives.</summary>
    public ByteSource AsByteSource(long byteOffset, long length) => ByteSource.OverMapping(GetPointer<byte>(byteOffset, length), length);

    /// <summary>XxHash3 of <paramref name="length"/> bytes from <paramref name="byteOffset"/>, read in 1 MiB chunks.</summary>
    public ulong Checksum(long byteOffset, long length)
    {
        const int Chunk = 1 << 20;
        var hash = new System.IO.Hashing.XxHash3();
        for (long done = 0; done < length; done += Chunk)
        {
            hash.Append(GetSpan<byte>(byteOffset + done, (int)Math.Min(Chunk, length - done)));
        }

        return hash.GetCurrentHashAsUInt64();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _mapping.ReleaseLease();
        }
    }
}
