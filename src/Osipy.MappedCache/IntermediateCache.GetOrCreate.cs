using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Segments;

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
    /// <exception cref="ArgumentException">A bad shape, key or metadata (as for Put).</exception>
    /// <exception cref="InvalidCastException">The entry exists with another element type.</exception>
    /// <exception cref="InvalidOperationException">The entry is a bundle.</exception>
    /// <exception cref="IOException">The segment cannot be created or published.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public MappedArray<T> GetOrCreate<T>(string resultType, string key, ReadOnlySpan<int> shape, Action<MappedArrayWriter<T>> fill, IReadOnlyDictionary<string, object?>? metadata = null)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        ArgumentNullException.ThrowIfNull(fill);
        var array = new ArrayDraft(string.Empty, DTypes.FromType(typeof(T)), Arguments.Shape(shape));
        string metadataJson = Arguments.Metadata(metadata);
        var entryKey = new EntryKey(resultType, key);
        return _session.GetOrCreate(entryKey, () => _session.Draft(entryKey, SegmentKind.SingleArray, [array], metadataJson, evenIfTransient: true)!, fill);
    }
}
