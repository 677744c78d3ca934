namespace Osipy.MappedCache;

/// <summary>
/// One thing a result was computed from, as a <see cref="ProvenanceKey"/> holds it: the digest that
/// enters the key, and a readable text for people.
/// </summary>
/// <param name="Digest">SHA-256 (lowercase hex) of the component's canonical bytes (docs/FORMAT.md, "Provenance keys").</param>
/// <param name="Text">What it was, for people (<c>[2, 5, 10, 15]</c>, <c>cache entry dce/sub-01 (…)</c>); never part of the key.</param>
public sealed record ProvenanceComponent(string Digest, string Text);
