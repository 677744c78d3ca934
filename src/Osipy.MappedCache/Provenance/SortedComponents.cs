using System.Collections;

namespace Osipy.MappedCache.Provenance;

/// <summary>A read-only dictionary of components that enumerates in the order given (sorted by name's UTF-8 bytes).</summary>
internal sealed class SortedComponents(IReadOnlyList<KeyValuePair<string, ProvenanceComponent>> sorted) : IReadOnlyDictionary<string, ProvenanceComponent>
{
    private readonly Dictionary<string, ProvenanceComponent> _byName = sorted.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    public ProvenanceComponent this[string key] => _byName[key];

    public IEnumerable<string> Keys => sorted.Select(pair => pair.Key);

    public IEnumerable<ProvenanceComponent> Values => sorted.Select(pair => pair.Value);

    public int Count => sorted.Count;

    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ProvenanceComponent value) => _byName.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, ProvenanceComponent>> GetEnumerator() => sorted.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
