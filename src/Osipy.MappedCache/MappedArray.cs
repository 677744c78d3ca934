using System.Numerics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

/// <summary>
/// A lease on one array of a mapped segment, whatever its element type; the typed views are on
/// <see cref="MappedArray{T}"/>. Bundles hand these out per name.
/// </summary>
/// <remarks>
/// <para>Lifetime: the mapping stays valid until this lease is disposed, even if the entry is
/// invalidated, replaced, evicted or the cache is disposed meanwhile. Spans and memory taken from
/// the lease must not be used after <see cref="Dispose"/>: accessors then throw
/// <see cref="ObjectDisposedException"/>, but a span already taken cannot be revoked.</para>
/// <para>The mapping is private (copy-on-write): writing through a view changes only this
/// process's pages, never the file or what other processes and later sessions read. Leases on the
/// same key within a process may share one mapping, and so see each other's writes.</para>
/// <para>Thread safety: reading and writing the data from several threads is as safe as with any
/// array; <see cref="Dispose"/> may be called from any thread, once or more.</para>
/// </remarks>
public abstract class MappedArray : IDisposable, IMappingLease
{
    private readonly SegmentMapping _mapping;
    private int _disposed;

    // Few fields, the rest read from the record: a get makes this one object, and its size is what
    // hits from many threads make the collector clear (docs/PERFORMANCE.md, issue 22).

    /// <param name="leased">The mapping, with a lease reference already taken for this array: the array owns it from here and gives it back in <see cref="Dispose"/>.</param>
    /// <param name="entry">The entry the array belongs to.</param>
    /// <param name="array">Where the array lies in the segment.</param>
    private protected MappedArray(SegmentMapping leased, CacheEntry entry, ArrayRecord array)
    {
        _mapping = leased;
        Entry = entry;
        Record = array;
        // A single array's shape is its entry's, built once per entry; a bundle's arrays have their own.
        Shape = entry.IsBundle ? array.IntShape() : entry.Shape;
        Length = array.ElementCount;
    }

    /// <summary>The entry this array belongs to.</summary>
    public CacheEntry Entry { get; }

    /// <summary>The array's name within a bundle; empty for a single-array entry.</summary>
    public string Name => Record.Name;

    /// <summary>Dimensions, C order (the last varies fastest).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of elements: the product of <see cref="Shape"/>. May exceed <see cref="int.MaxValue"/>.</summary>
    public long Length { get; }

    /// <summary>Bytes of data.</summary>
    public long SizeBytes => Record.PayloadLength;

    /// <summary>The .NET element type, for example <see cref="float"/>.</summary>
    public abstract Type ElementType { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// The mapping this array is a lease on: the array holds one reference on it (it is its own
    /// lease, so a get makes one object), given back by <see cref="Dispose"/>.
    /// </summary>
    internal SegmentMapping Mapping => _mapping;

    SegmentMapping IMappingLease.Mapping => _mapping;

    /// <summary>Where the array lies in its segment file.</summary>
    internal ArrayRecord Record { get; }

    /// <summary>Where the payload starts in the mapping.</summary>
    internal long PayloadOffset => Record.PayloadOffset;

    /// <summary>Tells the kernel how this array is about to be read (madvise); see <see cref="AccessPattern"/>.</summary>
    /// <remarks>
    /// Affects the whole process's mapping of the segment, which leases on the same key share.
    /// Use <see cref="AccessPattern.Sequential"/> before a full pass over a large series,
    /// <see cref="AccessPattern.Random"/> for scattered voxel lookups, <see cref="AccessPattern.WillNeed"/>
    /// to read ahead in the background, and <see cref="AccessPattern.Done"/> to give the pages back.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The lease is disposed.</exception>
    public void Advise(AccessPattern pattern)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        int advice = pattern switch
        {
            AccessPattern.Normal => Interop.Libc.MADV_NORMAL,
            AccessPattern.Sequential => Interop.Libc.MADV_SEQUENTIAL,
            AccessPattern.Random => Interop.Libc.MADV_RANDOM,
            AccessPattern.WillNeed => Interop.Libc.MADV_WILLNEED,
            AccessPattern.Done => Interop.Libc.MADV_DONTNEED,
            _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "Unknown access pattern."),
        };
        _mapping.Advise(PayloadOffset, SizeBytes, advice);
    }

    /// <summary>
    /// Holds this array's whole mapping for something attached to its pages, such as a CUDA host
    /// registration (<c>cuMemHostRegister</c> with the read-only flag), and asks to be told, through
    /// <paramref name="leaving"/>, when the cache lets go of the mapping; see <see cref="MappingHold"/>.
    /// </summary>
    /// <remarks>
    /// Attach after this returns; in <paramref name="leaving"/> (or after it, once transfers in
    /// flight end) undo the attachment and dispose the hold. The hold outlives this lease if need
    /// be. Leases of the same entry share the mapping: a holder keyed by <see cref="MappingHold.Address"/>
    /// attaches once per mapping. The hold's range is the segment file mapped shared and read-only
    /// (see <see cref="MappingHold.Address"/>): register it read-only.
    /// </remarks>
    /// <param name="leaving">Called once when the cache lets go of the mapping, on that thread, outside the cache's locks; must not throw.</param>
    /// <returns>The hold, or null when there is nothing to hold: the cache has already let go of this
    /// mapping (the entry left while this lease was taken), or the file no longer has its name
    /// (replaced or removed since). Then attach nothing, and read through this lease as usual.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="leaving"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The lease is disposed.</exception>
    public MappingHold? TryHoldMapping(Action<MappingHold> leaving)
    {
        ArgumentNullException.ThrowIfNull(leaving);
        return MappingHold.TryTake(this, leaving);
    }

    /// <summary>The array's bytes as a source for a writer (compressing a zero-copy writer's array); valid while this lease lives.</summary>
    internal ByteSource AsByteSource()
    {
        ThrowIfDisposed();
        return _mapping.BytesAt(PayloadOffset, SizeBytes);
    }

    /// <summary>XxHash3 of the array's bytes, read through the mapping in chunks.</summary>
    internal ulong ComputePayloadChecksum()
    {
        ThrowIfDisposed();
        return _mapping.ChecksumOf(PayloadOffset, SizeBytes);
    }

    /// <summary><paramref name="length"/> elements <paramref name="byteOffset"/> bytes into the segment file, bounds-checked.</summary>
    internal Span<TElement> SpanAt<TElement>(long byteOffset, int length)
        where TElement : unmanaged
    {
        ThrowIfDisposed();
        return _mapping.SpanAt<TElement>(byteOffset, length);
    }

    /// <summary>A reference to the element <paramref name="byteOffset"/> bytes into the file, with <paramref name="length"/> elements after it.</summary>
    private protected ref TElement ReferenceAt<TElement>(long byteOffset, long length)
        where TElement : unmanaged
    {
        ThrowIfDisposed();
        return ref _mapping.ReferenceAt<TElement>(byteOffset, length);
    }

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>This array as <see cref="MappedArray{T}"/>.</summary>
    /// <exception cref="InvalidCastException">The element type is not <typeparamref name="T"/>; the message names both.</exception>
    public MappedArray<T> As<T>()
        where T : unmanaged =>
        this as MappedArray<T> ?? throw ElementTypeMismatch(Entry, Name, ElementType, typeof(T));

    /// <summary>Releases this lease; the mapping goes when its last lease goes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _mapping.ReleaseLease();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The array of <paramref name="array"/>'s element type, owning the lease reference already taken on <paramref name="leased"/>.</summary>
    internal static MappedArray Create(SegmentMapping leased, CacheEntry entry, ArrayRecord array) =>
        DTypes.Dispatch<Factory, MappedArray>(array.DType, new Factory(leased, entry, array));

    /// <summary>Like <see cref="Create(SegmentMapping, CacheEntry, ArrayRecord)"/>, taking a new lease reference on <paramref name="mapping"/> for the array.</summary>
    /// <exception cref="ObjectDisposedException">The mapping has been released.</exception>
    internal static MappedArray Lease(SegmentMapping mapping, CacheEntry entry, ArrayRecord array)
    {
        mapping.AddLease();
        try
        {
            return Create(mapping, entry, array);
        }
        catch
        {
            mapping.ReleaseLease();
            throw;
        }
    }

    internal static InvalidCastException ElementTypeMismatch(CacheEntry entry, string name, Type stored, Type requested)
    {
        string what = name.Length == 0 ? $"Entry '{entry.Key}' of result type '{entry.ResultType}'" : $"Array '{name}' of entry '{entry.Key}' ({entry.ResultType})";
        return new InvalidCastException(
            $"{what} holds {DTypes.Describe(DTypes.FromType(stored))} elements; {DTypes.Describe(DTypes.FromType(requested))} was requested.");
    }

    /// <summary>Makes the <see cref="MappedArray{T}"/> of a record's element type.</summary>
    private readonly struct Factory(SegmentMapping leased, CacheEntry entry, ArrayRecord array) : IElementTypeVisitor<MappedArray>
    {
        public MappedArray Visit<T>()
            where T : unmanaged => new MappedArray<T>(leased, entry, array);
    }
}
