using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// The entry under (<paramref name="resultType"/>, <paramref name="key"/>) if any session, process
    /// or node (through <see cref="CacheConfig.Remote"/>) has it; otherwise exactly one caller runs
    /// <paramref name="fill"/> into a <see cref="Create{T}"/>d segment of <paramref name="shape"/>, while
    /// every other caller for the key waits for it, then all map the result.
    /// </summary>
    /// <remarks>
    /// <para>Single flight: within a node, a lock file per key (flock, so it spans processes);
    /// across nodes, the remote tier's lease, renewed while <paramref name="fill"/> runs. If the
    /// computing process dies, its lease lapses and a waiting caller computes instead. A node that
    /// cannot reach the cluster computes locally.</para>
    /// <para>If <paramref name="fill"/> throws, nothing is published, the exception reaches this
    /// caller, and the next waiting caller computes. For a TRANSIENT type <paramref name="fill"/>
    /// always runs (nothing is kept to share).</para>
    /// </remarks>
    /// <returns>A lease the caller must dispose.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fill"/> or a string is null.</exception>
    /// <exception cref="ArgumentException">A bad shape, key or metadata (as for Put), or the entry exists with another shape.</exception>
    /// <exception cref="InvalidCastException">The entry exists with another element type.</exception>
    /// <exception cref="InvalidOperationException">The entry is a bundle.</exception>
    /// <exception cref="IOException">The segment cannot be created or published.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <param name="resultType">The result type (osipy's).</param>
    /// <param name="key">The entry's key within the type.</param>
    /// <param name="shape">The dimensions of the entry, computed or found.</param>
    /// <param name="fill">Fills the new entry in place, when this caller is the one to compute it.</param>
    /// <param name="metadata">JSON-able values stored with the entry when this call computes it.</param>
    /// <param name="tags">Labels the entry carries when this call computes it (see <see cref="Put{T}(string, string, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>).</param>
    public MappedArray<T> GetOrCreate<T>(string resultType, string key, ReadOnlySpan<int> shape, Action<MappedArrayWriter<T>> fill, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        ArgumentNullException.ThrowIfNull(fill);
        var entryKey = new EntryKey(resultType, key);

        // The hit first, exactly a Get (which is a counted miss for a TRANSIENT type, whose entries
        // are never kept): the draft is built only if something must be computed.
        if (_session.GetArray(entryKey, typeof(T)) is MappedArray<T> hit)
        {
            return SameShapeOrThrow(hit, shape);
        }

        return SameShapeOrThrow(ComputeOrWait(entryKey, Arguments.Shape(shape), fill, Arguments.Metadata(metadata, tags)), shape);
    }

    /// <summary>The slow path of <see cref="GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>, apart so that its closure is not allocated on a hit.</summary>
    private MappedArray<T> ComputeOrWait<T>(EntryKey entryKey, long[] dims, Action<MappedArrayWriter<T>> fill, string metadataJson)
        where T : unmanaged
    {
        var array = new ArrayDraft(string.Empty, DTypes.FromType(typeof(T)), dims);
        return _session.GetOrCreate(entryKey, () => _session.Draft(entryKey, SegmentKind.SingleArray, [array], metadataJson, evenIfTransient: true)!, fill);
    }

    /// <summary>An entry found (or computed by another caller) must have the shape asked for.</summary>
    private static MappedArray<T> SameShapeOrThrow<T>(MappedArray<T> array, ReadOnlySpan<int> shape)
        where T : unmanaged
    {
        bool same = array.Shape.Count == shape.Length;
        for (int d = 0; same && d < shape.Length; d++)
        {
            same = array.Shape[d] == shape[d];
        }

        if (same)
        {
            return array;
        }

        string stored = string.Join(", ", array.Shape);
        array.Dispose();
        throw new ArgumentException($"The entry exists with shape ({stored}); the call asked for ({string.Join(", ", shape.ToArray())}).", nameof(shape));
    }

    /// <summary>Like <see cref="GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/> for a run-time element type (the C ABI); <paramref name="fill"/> sees the writer untyped.</summary>
    internal MappedArray GetOrCreateUntyped(string resultType, string key, DType dtype, long[] shape, Action<IUntypedWriter> fill, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags = null) =>
        DTypes.Dispatch<UntypedGetOrCreate, MappedArray>(dtype, new UntypedGetOrCreate(this, resultType, key, IntDimensions(shape), fill, metadata, tags));

    /// <summary><see cref="GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/> for the element type of a run-time code.</summary>
    private sealed class UntypedGetOrCreate(IntermediateCache cache, string resultType, string key, int[] shape, Action<IUntypedWriter> fill, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags)
        : IElementTypeVisitor<MappedArray>
    {
        public MappedArray Visit<T>()
            where T : unmanaged => cache.GetOrCreate<T>(resultType, key, shape, writer => fill(writer), metadata, tags);
    }
}
