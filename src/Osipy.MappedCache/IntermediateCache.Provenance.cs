using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Provenance;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>The array stored under the provenance key (see <see cref="Get{T}(string, string)"/>); null on a miss.</summary>
    /// <inheritdoc cref="Get{T}(string, string)" path="/exception"/>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result was computed from.</param>
    public MappedArray<T>? Get<T>(string resultType, ProvenanceKey key)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(key);
        return Get<T>(resultType, key.Key);
    }

    /// <summary>Whether a get of the provenance key would hit (see <see cref="Has(string, string)"/>).</summary>
    /// <inheritdoc cref="Has(string, string)" path="/exception"/>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result was computed from.</param>
    public bool Has(string resultType, ProvenanceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Has(resultType, key.Key);
    }

    /// <summary>
    /// Stores <paramref name="data"/> under the provenance key, with the key's components in its
    /// metadata (<c>"osipy_provenance"</c>), so the entry says what it was computed from
    /// (see <see cref="Put{T}(string, string, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">As for the keyed Put, or <paramref name="metadata"/> has its own <c>osipy_provenance</c>.</exception>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result was computed from.</param>
    /// <param name="data">The elements, C order.</param>
    /// <param name="shape">The dimensions.</param>
    /// <param name="metadata">JSON-able values stored with the entry, beside its provenance.</param>
    /// <param name="tags">Labels the entry carries.</param>
    public void Put<T>(string resultType, ProvenanceKey key, ReadOnlySpan<T> data, ReadOnlySpan<int> shape, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(key);
        Put(resultType, key.Key, data, shape, StoredProvenance.With(metadata, key), tags);
    }

    /// <summary>Stores a .NET array (any rank) under the provenance key, with its provenance in the metadata.</summary>
    /// <inheritdoc cref="Put{T}(string, ProvenanceKey, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)" path="/exception"/>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result was computed from.</param>
    /// <param name="data">The array; its dimensions are the entry's shape.</param>
    /// <param name="metadata">JSON-able values stored with the entry, beside its provenance.</param>
    /// <param name="tags">Labels the entry carries.</param>
    public void Put(string resultType, ProvenanceKey key, Array data, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Put(resultType, key.Key, data, StoredProvenance.With(metadata, key), tags);
    }

    /// <summary>Stores named arrays (a bundle) under the provenance key, with its provenance in the metadata.</summary>
    /// <inheritdoc cref="Put{T}(string, ProvenanceKey, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)" path="/exception"/>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result was computed from.</param>
    /// <param name="arrays">The arrays by name.</param>
    /// <param name="metadata">JSON-able values stored with the entry, beside its provenance.</param>
    /// <param name="tags">Labels the entry carries.</param>
    public void Put(string resultType, ProvenanceKey key, IReadOnlyDictionary<string, Array> arrays, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Put(resultType, key.Key, arrays, StoredProvenance.With(metadata, key), tags);
    }

    /// <summary>
    /// <see cref="GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>
    /// under a provenance key: the entry found, or computed once across threads, processes and nodes
    /// by <paramref name="fill"/>, and stored with its provenance (<c>"osipy_provenance"</c>) in its metadata.
    /// </summary>
    /// <remarks>A hit builds nothing: it costs the key's derivation and a get. For a TRANSIENT type <paramref name="fill"/> always runs.</remarks>
    /// <inheritdoc cref="GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)" path="/exception"/>
    /// <returns>A lease the caller must dispose.</returns>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result is computed from.</param>
    /// <param name="shape">The dimensions of the entry, computed or found.</param>
    /// <param name="fill">Fills the new entry in place, when this caller is the one to compute it.</param>
    /// <param name="metadata">JSON-able values stored with the entry, beside its provenance.</param>
    /// <param name="tags">Labels the entry carries when this call computes it.</param>
    public MappedArray<T> GetOrCreate<T>(string resultType, ProvenanceKey key, ReadOnlySpan<int> shape, Action<MappedArrayWriter<T>> fill, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(key);
        Arguments.CheckKey(resultType, key.Key);
        ArgumentNullException.ThrowIfNull(fill);
        var entryKey = new EntryKey(resultType, key.Key);
        if (_session.GetArray(entryKey, typeof(T)) is MappedArray<T> hit)
        {
            return SameShapeOrThrow(hit, shape);
        }

        string metadataJson = Arguments.Metadata(StoredProvenance.With(metadata, key), tags);
        return SameShapeOrThrow(ComputeOrWait(entryKey, Arguments.Shape(shape), fill, metadataJson), shape);
    }

    /// <summary>
    /// The result of <paramref name="compute"/> for the provenance key: the stored entry zero-copy, or
    /// <paramref name="compute"/> run once (across threads, processes and nodes, as
    /// <see cref="GetOrCreate{T}(string, ProvenanceKey, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>)
    /// and its array stored with the key's provenance. CACHED, PERSISTENT and TRANSIENT come from the
    /// type's policy: for a TRANSIENT type <paramref name="compute"/> always runs.
    /// </summary>
    /// <remarks>The key must name everything the result depends on: build it from the same values
    /// <paramref name="compute"/> uses (<see cref="ProvenanceKeyBuilder"/>). To write the result in place
    /// instead of copying an array, use GetOrCreate with the key.</remarks>
    /// <exception cref="ArgumentException">As for GetOrCreate, or <paramref name="compute"/> returned an array of another length than the shape's.</exception>
    /// <returns>A lease the caller must dispose.</returns>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">What the result is computed from.</param>
    /// <param name="shape">The result's dimensions.</param>
    /// <param name="compute">Computes the result, C order; called only by the one caller that computes.</param>
    /// <param name="metadata">JSON-able values stored with the entry, beside its provenance.</param>
    /// <param name="tags">Labels the entry carries when this call computes it.</param>
    public MappedArray<T> Memoize<T>(string resultType, ProvenanceKey key, ReadOnlySpan<int> shape, Func<T[]> compute, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(compute);
        return GetOrCreate<T>(resultType, key, shape, writer =>
        {
            T[] result = compute() ?? throw new InvalidOperationException($"The computation of {key.Function} returned null.");
            if (result.LongLength != writer.Length)
            {
                throw new ArgumentException($"The computation of {key.Function} returned {result.LongLength} elements; the shape ({string.Join(", ", writer.Shape)}) holds {writer.Length}.", nameof(compute));
            }

            result.CopyTo(writer.Span);
        }, metadata, tags);
    }

    /// <summary>
    /// Why <paramref name="key"/> hits or misses, without computing anything: on a miss, the nearest
    /// earlier entry of the same type and function (fewest differing components, ties the newest) and
    /// one line per component that differs (<see cref="ExplainResult.Changed"/>).
    /// </summary>
    /// <remarks>A miss reads the records of the type's segment files (as <see cref="ListSegments"/>); nothing is mapped.</remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">The key to explain.</param>
    public ExplainResult Explain(string resultType, ProvenanceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Has(resultType, key.Key))
        {
            return new ExplainResult(true, key.Key, key.Function, key.Components, nearestKey: null, changed: []);
        }

        (ProvenanceKey? nearest, List<string> changed) = Nearest(resultType, key, except: key.Key);
        return new ExplainResult(false, key.Key, key.Function, key.Components, nearest?.Key, nearest is null ? [$"no earlier entry of {key.Function} in {resultType}"] : changed);
    }

    /// <summary>
    /// Explains a stored entry by its key text (what <c>osipy-cache explain</c> prints): its components,
    /// and the nearest other entry of the same type and function with the lines that say how this
    /// entry differs from it, which is why there is more than one entry of the function.
    /// </summary>
    /// <remarks>Reads the records of the type's segment files, whatever their policy; nothing is mapped.
    /// For a key that is not stored, <see cref="ExplainResult.Hit"/> is false, its function is the text
    /// before '@', and the nearest entry is the newest of that function.</remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A string is not valid UTF-16, or too long.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <param name="resultType">The result type.</param>
    /// <param name="key">The entry's key text, for example <c>fit_t1@d6c6fb62e114538a17b5aa053fbcb861</c>.</param>
    public ExplainResult Explain(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        IReadOnlyList<StoredSegment> segments = ListSegments(resultType);
        CacheEntry? entry = segments.FirstOrDefault(s => s.Entry.Key == key)?.Entry;
        if (entry?.Provenance is not { } stored)
        {
            int at = key.IndexOf('@', StringComparison.Ordinal);
            string function = at < 0 ? key : key[..at];
            string? newest = Provenanced(segments, function, key).OrderByDescending(p => p.Entry.CreatedAt).FirstOrDefault().Entry?.Key;
            string why = entry is null ? $"no entry {key} in {resultType}" : $"{resultType}/{key} was stored without a provenance key";
            return new ExplainResult(entry is not null, key, function, new Dictionary<string, ProvenanceComponent>(), newest, [why]);
        }

        (ProvenanceKey? nearest, List<string> changed) = Nearest(segments, stored, key);
        return new ExplainResult(true, key, stored.Function, stored.Components, nearest?.Key, nearest is null ? [$"no other entry of {stored.Function} in {resultType}"] : changed);
    }

    private (ProvenanceKey? Nearest, List<string> Changed) Nearest(string resultType, ProvenanceKey key, string except) =>
        Nearest(ListSegments(resultType), key, except);

    /// <summary>The entry of the key's function, other than <paramref name="except"/>, with the fewest differing components; ties go to the newest.</summary>
    private static (ProvenanceKey? Nearest, List<string> Changed) Nearest(IReadOnlyList<StoredSegment> segments, ProvenanceKey key, string except)
    {
        (ProvenanceKey? Key, List<string> Changed, DateTimeOffset At) best = (null, [], DateTimeOffset.MinValue);
        foreach ((CacheEntry entry, ProvenanceKey stored) in Provenanced(segments, key.Function, except))
        {
            List<string> changed = ProvenanceChanges.Lines(stored, key);
            if (best.Key is null || changed.Count < best.Changed.Count || (changed.Count == best.Changed.Count && entry.CreatedAt > best.At))
            {
                best = (stored, changed, entry.CreatedAt);
            }
        }

        return (best.Key, best.Changed);
    }

    private static IEnumerable<(CacheEntry Entry, ProvenanceKey Stored)> Provenanced(IReadOnlyList<StoredSegment> segments, string function, string except) =>
        segments.Where(s => s.Entry.Key != except && s.Entry.Provenance?.Function == function).Select(s => (s.Entry, s.Entry.Provenance!));
}
