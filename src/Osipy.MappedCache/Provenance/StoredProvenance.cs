using System.Globalization;

namespace Osipy.MappedCache.Provenance;

/// <summary>
/// A key's components in an entry's metadata, under <c>"osipy_provenance"</c>:
/// <c>{"encoding": 1, "function": F, "components": {NAME: {"digest": HEX, "text": READABLE}}}</c>
/// (docs/FORMAT.md, "Provenance keys"), written by C# and Python alike.
/// </summary>
internal static class StoredProvenance
{
    /// <summary>The metadata property that holds an entry's provenance.</summary>
    public const string Property = "osipy_provenance";

    /// <summary><paramref name="metadata"/> with the key's provenance added.</summary>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> already has the property.</exception>
    public static Dictionary<string, object?> With(IReadOnlyDictionary<string, object?>? metadata, ProvenanceKey key)
    {
        if (metadata is not null && metadata.ContainsKey(Property))
        {
            throw new ArgumentException($"The metadata property '{Property}' is reserved for the entry's provenance key.", nameof(metadata));
        }

        var components = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string name, ProvenanceComponent component) in key.Components)
        {
            components[name] = new Dictionary<string, object?> { ["digest"] = component.Digest, ["text"] = component.Text };
        }

        return new Dictionary<string, object?>(metadata ?? new Dictionary<string, object?>(), StringComparer.Ordinal)
        {
            [Property] = new Dictionary<string, object?>
            {
                ["encoding"] = key.Encoding,
                ["function"] = key.Function,
                ["components"] = components,
            },
        };
    }

    /// <summary>The provenance stored with an entry, as a key named <paramref name="entryKey"/>; null if none, or not in this shape.</summary>
    public static ProvenanceKey? Read(IReadOnlyDictionary<string, object?> metadata, string entryKey)
    {
        if (!metadata.TryGetValue(Property, out object? value) || value is not IReadOnlyDictionary<string, object?> stored
            || !stored.TryGetValue("function", out object? function) || function is not string functionName
            || !stored.TryGetValue("components", out object? components) || components is not IReadOnlyDictionary<string, object?> byName)
        {
            return null;
        }

        int encoding = stored.TryGetValue("encoding", out object? version) && version is long number && number is > 0 and < int.MaxValue ? (int)number : 0;
        var read = new List<KeyValuePair<string, ProvenanceComponent>>();
        foreach ((string name, object? component) in byName)
        {
            if (component is IReadOnlyDictionary<string, object?> parts && parts.TryGetValue("digest", out object? digest) && digest is string hex)
            {
                string text = parts.TryGetValue("text", out object? t) && t is string s ? s : Convert.ToString(t, CultureInfo.InvariantCulture) ?? string.Empty;
                read.Add(KeyValuePair.Create(name, new ProvenanceComponent(hex, text)));
            }
        }

        return new ProvenanceKey(functionName, new SortedComponents([.. ProvenanceEncoding.SortedByUtf8(read, pair => pair.Key)]), encoding, entryKey);
    }
}
