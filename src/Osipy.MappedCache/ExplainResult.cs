namespace Osipy.MappedCache;

/// <summary>
/// Why a provenance key hits or misses, answered without computing (<see cref="IntermediateCache.Explain(string, ProvenanceKey)"/>,
/// <c>osipy-cache explain</c>).
/// </summary>
/// <remarks>Immutable. <see cref="Changed"/> holds one line per differing component; the formats are
/// listed in docs/DESIGN.md ("Provenance keys") and are the same in Python.</remarks>
public sealed class ExplainResult
{
    internal ExplainResult(bool hit, string key, string function, IReadOnlyDictionary<string, ProvenanceComponent> components, string? nearestKey, IReadOnlyList<string> changed)
    {
        Hit = hit;
        Key = key;
        Function = function;
        Components = components;
        NearestKey = nearestKey;
        Changed = changed;
    }

    /// <summary>Whether the entry is stored (a get would find it).</summary>
    public bool Hit { get; }

    /// <summary>The entry key explained.</summary>
    public string Key { get; }

    /// <summary>The function the key names.</summary>
    public string Function { get; }

    /// <summary>The key's components (name → digest and text); empty when explaining a key that is neither given nor stored.</summary>
    public IReadOnlyDictionary<string, ProvenanceComponent> Components { get; }

    /// <summary>
    /// The other entry of the same type and function whose components differ least (ties: the newest);
    /// null when there is none, and, for <see cref="IntermediateCache.Explain(string, ProvenanceKey)"/>, on a hit.
    /// </summary>
    public string? NearestKey { get; }

    /// <summary>How the key differs from <see cref="NearestKey"/>'s, one line per component, for example
    /// <c>argument flip_angles: [2, 5, 10, 15] → [2, 5, 10, 12]</c> or <c>code of fit_t1 changed (helper Fits.Signal)</c>;
    /// <c>no earlier entry of F in TYPE</c> when there is no other entry of the function; empty on a hit.</summary>
    public IReadOnlyList<string> Changed { get; }
}
