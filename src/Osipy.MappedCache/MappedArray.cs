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
public abstract class MappedArray : IDisposable
{
    private protected MappedArray(MappingLease lease, CacheEntry entry, ArrayRecord array)
    {
        Lease = lease;
        Entry = entry;
        Record = array;
        Name = array.Name;
        // A single array's shape is its entry's, built once per entry; a bundle's arrays have their own.
        Shape = entry.IsBundle ? array.IntShape() : entry.Shape;
        Length = array.ElementCount;
        SizeBytes = array.PayloadLength;
        PayloadOffset = array.PayloadOffset;
    }

    /// <summary>The entry this array belongs to.</summary>
    public CacheEntry Entry { get; }

    /// <summary>The array's name within a bundle; empty for a single-array entry.</summary>
    public string Name { get; }

    /// <summary>Dimensions, C order (the last varies fastest).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of elements: the product of <see cref="Shape"/>. May exceed <see cref="int.MaxValue"/>.</summary>
    public long Length { get; }

    /// <summary>Bytes of data.</summary>
    public long SizeBytes { get; }

    /// <summary>The .NET element type, for example <see cref="float"/>.</summary>
    public abstract Type ElementType { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => Lease.IsDisposed;

    /// <summary>The lease on the mapping; the C ABI takes the payload's address from it.</summary>
    internal MappingLease Lease { get; }

    /// <summary>Where the array lies in its segment file.</summary>
    internal ArrayRecord Record { get; }

    /// <summary>Where the payload starts in the mapping.</summary>
    internal long PayloadOffset { get; }

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
        Lease.Mapping.Advise(PayloadOffset, SizeBytes, advice);
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
        return MappingHold.TryTake(Lease, leaving);
    }

    /// <summary>The array's bytes as a source for a writer (compressing a zero-copy writer's array); valid while this lease lives.</summary>
    internal ByteSource AsByteSource() => Lease.AsByteSource(PayloadOffset, SizeBytes);

    /// <summary>XxHash3 of the array's bytes, read through the mapping in chunks.</summary>
    internal ulong ComputePayloadChecksum() => Lease.Checksum(PayloadOffset, SizeBytes);

    /// <summary>This array as <see cref="MappedArray{T}"/>.</summary>
    /// <exception cref="InvalidCastException">The element type is not <typeparamref name="T"/>; the message names both.</exception>
    public MappedArray<T> As<T>()
        where T : unmanaged =>
        this as MappedArray<T> ?? throw ElementTypeMismatch(Entry, Name, ElementType, typeof(T));

    /// <summary>Releases this lease; the mapping goes when its last lease goes.</summary>
    public void Dispose()
    {
        Lease.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static MappedArray Create(MappingLease lease, CacheEntry entry, ArrayRecord array) =>
        DTypes.Dispatch<Factory, MappedArray>(array.DType, new Factory(lease, entry, array));

    internal static InvalidCastException ElementTypeMismatch(CacheEntry entry, string name, Type stored, Type requested)
    {
        string what = name.Length == 0 ? $"Entry '{entry.Key}' of result type '{entry.ResultType}'" : $"Array '{name}' of entry '{entry.Key}' ({entry.ResultType})";
        return new InvalidCastException(
            $"{what} holds {DTypes.Describe(DTypes.FromType(stored))} elements; {DTypes.Describe(DTypes.FromType(requested))} was requested.");
    }

    /// <summary>Makes the <see cref="MappedArray{T}"/> of a record's element type.</summary>
    private readonly struct Factory(MappingLease lease, CacheEntry entry, ArrayRecord array) : IElementTypeVisitor<MappedArray>
    {
        public MappedArray Visit<T>()
            where T : unmanaged => new MappedArray<T>(lease, entry, array);
    }
}
