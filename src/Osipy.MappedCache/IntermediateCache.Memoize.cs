using Osipy.MappedCache.Format;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Provenance;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// The result of <paramref name="compute"/> for the provenance key, for a result whose shape is
    /// known only once computed: the stored entry zero-copy, or <paramref name="compute"/> run once
    /// across threads, processes and nodes (the others wait for it) and its array (any rank; its
    /// lengths are the shape) stored with the key's provenance. For a TRANSIENT type
    /// <paramref name="compute"/> always runs and its array is handed back mapped, as GetOrCreate does.
    /// </summary>
    /// <remarks>Where the shape is known beforehand,
    /// <see cref="Memoize{T}(string, ProvenanceKey, ReadOnlySpan{int}, Func{T[]}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>
    /// or GetOrCreate with the key avoid the copy of the array into the segment.</remarks>
    /// <returns>A lease the caller must dispose; <c>As&lt;T&gt;()</c> gives the typed view.</returns>
    /// <exception cref="ArgumentNullException">An argument is null, or <paramref name="compute"/> returned null.</exception>
    /// <exception cref="InvalidOperationException">The entry stored under the key is a bundle.</exception>
    /// <exception cref="NotSupportedException">The array's element type is not supported.</exception>
    /// <exception cref="IOException">The segment cannot be created or published.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result is computed from.</param>
    /// <param name="compute">Computes the result; called only by the one caller that computes.</param>
    /// <param name="metadata">JSON-able values stored with the entry, beside its provenance.</param>
    /// <param name="tags">Labels the entry carries when this call computes it.</param>
    public MappedArray Memoize(string resultType, ProvenanceKey key, Func<Array> compute, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(compute);
        Array? computed = null;
        IDisposable? found = GetOrComputeAny(resultType, key.Key, () =>
        {
            computed = compute();
            ArgumentNullException.ThrowIfNull(computed, "compute()");
            Put(resultType, key, computed, metadata, tags);
        });
        switch (found)
        {
            case MappedArray array:
                return array;
            case null:
                // TRANSIENT: nothing was kept to share; map what this caller computed privately.
                Array result = computed!;
                ArrayDraft draft = Arguments.DraftFor(string.Empty, result, nameof(compute));
                return GetOrCreateUntyped(resultType, key.Key, draft.DType, draft.Shape, writer => CopyInto(writer.View, result, draft.DType), StoredProvenance.With(metadata, key), tags);
            default:
                found.Dispose();
                throw new InvalidOperationException($"Entry '{key.Key}' of result type '{resultType}' is a bundle; this Memoize makes single arrays.");
        }
    }

    /// <summary>Copies a managed array's bytes into a new segment's view, in chunks a span can hold.</summary>
    private static void CopyInto(MappedArray view, Array data, DType dtype) =>
        ByteSource.With(data, DTypes.ItemSize(dtype), source =>
        {
            const int Chunk = 1 << 30;
            for (long offset = 0; offset < source.Length; offset += Chunk)
            {
                int length = (int)Math.Min(Chunk, source.Length - offset);
                source.Slice(offset, length).CopyTo(view.SpanAt<byte>(view.PayloadOffset + offset, length));
            }
        });
}
