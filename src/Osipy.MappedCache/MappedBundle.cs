using System.Collections;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache;

/// <summary>
/// A lease on every array of a dictionary put (the seed's dict data), by name, in the order put.
/// Disposing the bundle releases all of them.
/// </summary>
/// <remarks>Lifetime and copy-on-write rules are those of <see cref="MappedArray"/>.</remarks>
public sealed class MappedBundle : IReadOnlyDictionary<string, MappedArray>, IDisposable
{
    private readonly Dictionary<string, MappedArray> _arrays;
    private readonly List<string> _order;

    internal MappedBundle(SegmentMapping mapping, CacheEntry entry, IReadOnlyList<Format.ArrayRecord> arrays)
    {
        Entry = entry;
        _arrays = new Dictionary<string, MappedArray>(arrays.Count, StringComparer.Ordinal);
        _order = new List<string>(arrays.Count);
        foreach (Format.ArrayRecord array in arrays)
        {
            _arrays.Add(array.Name, MappedArray.Lease(mapping, entry, array));
            _order.Add(array.Name);
        }
    }

    /// <summary>The entry the bundle belongs to.</summary>
    public CacheEntry Entry { get; }

    /// <inheritdoc />
    public int Count => _arrays.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _order;

    /// <inheritdoc />
    public IEnumerable<MappedArray> Values => _order.Select(n => _arrays[n]);

    /// <inheritdoc />
    public MappedArray this[string key] => _arrays[key];

    /// <summary>The array named <paramref name="name"/>, typed.</summary>
    /// <exception cref="KeyNotFoundException">No array has that name.</exception>
    /// <exception cref="InvalidCastException">Its element type is not <typeparamref name="T"/>.</exception>
    public MappedArray<T> Get<T>(string name)
        where T : unmanaged =>
        _arrays.TryGetValue(name, out MappedArray? array)
            ? array.As<T>()
            : throw new KeyNotFoundException($"Bundle '{Entry.Key}' ({Entry.ResultType}) has no array named '{name}'; it has: {string.Join(", ", _order)}.");

    /// <inheritdoc />
    public bool ContainsKey(string key) => _arrays.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out MappedArray value) => _arrays.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, MappedArray>> GetEnumerator() =>
        _order.Select(n => new KeyValuePair<string, MappedArray>(n, _arrays[n])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases every array's lease.</summary>
    public void Dispose()
    {
        foreach (MappedArray array in _arrays.Values)
        {
            array.Dispose();
        }
    }
}
