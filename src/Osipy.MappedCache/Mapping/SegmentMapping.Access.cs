namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Bounds-checked access to the mapped bytes, for the leases (<see cref="MappingLease"/>,
/// <see cref="MappedArray"/>) that hold a reference on the mapping: each checks that it is not
/// disposed, then reads through these. Every range is checked against <see cref="Length"/>.
/// </summary>
/// <remarks>Valid only while the caller holds a reference (a lease): that is what keeps the address mapped.</remarks>
internal sealed unsafe partial class SegmentMapping
{
    /// <summary>A span of <paramref name="length"/> elements starting <paramref name="byteOffset"/> bytes into the file.</summary>
    public Span<T> SpanAt<T>(long byteOffset, int length)
        where T : unmanaged =>
        new(PointerAt<T>(byteOffset, length), length);

    /// <summary>A reference to the element <paramref name="byteOffset"/> bytes into the file, with <paramref name="length"/> elements after it, for 2D views.</summary>
    public ref T ReferenceAt<T>(long byteOffset, long length)
        where T : unmanaged =>
        ref *PointerAt<T>(byteOffset, length);

    /// <summary>The address of <paramref name="length"/> bytes at <paramref name="byteOffset"/>, for the C ABI.</summary>
    public nint AddressAt(long byteOffset, long length) => (nint)PointerAt<byte>(byteOffset, length);

    /// <summary><paramref name="length"/> bytes at <paramref name="byteOffset"/> as a <see cref="ByteSource"/>, valid while the caller's lease lives.</summary>
    public ByteSource BytesAt(long byteOffset, long length) => ByteSource.OverMapping(PointerAt<byte>(byteOffset, length), length);

    /// <summary>XxHash3 of <paramref name="length"/> bytes from <paramref name="byteOffset"/>, read in 1 MiB chunks.</summary>
    public ulong ChecksumOf(long byteOffset, long length)
    {
        const int Chunk = 1 << 20;
        var hash = new System.IO.Hashing.XxHash3();
        for (long done = 0; done < length; done += Chunk)
        {
            hash.Append(SpanAt<byte>(byteOffset + done, (int)Math.Min(Chunk, length - done)));
        }

        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The address of <paramref name="length"/> elements at <paramref name="byteOffset"/>, bounds-checked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the mapping.</exception>
    public T* PointerAt<T>(long byteOffset, long length)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = checked(length * sizeof(T));
        if (byteOffset > Length - bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The requested range lies outside the mapped segment.");
        }

        return (T*)((byte*)handle + byteOffset);
    }
}
