namespace Osipy.MappedCache;

/// <summary>
/// One thing a result was computed from, as a <see cref="ProvenanceKey"/> holds it: the digest that
/// enters the key, and a readable text for people.
/// </summary>
/// <remarks>Immutable and thread-safe. Equal when digest and text are. The text of a component made by
/// <see cref="ProvenanceKeyBuilder"/> is rendered when first read (a hit never needs it), from the value as it is then.</remarks>
public sealed class ProvenanceComponent : IEquatable<ProvenanceComponent>
{
    private readonly Func<string>? _render;
    private string? _text;

    /// <summary>A component with its text given.</summary>
    /// <param name="digest">SHA-256 (lowercase hex) of the component's canonical bytes (docs/FORMAT.md, "Provenance keys").</param>
    /// <param name="text">What it was, for people.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ProvenanceComponent(string digest, string text)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(text);
        Digest = digest;
        _text = text;
    }

    internal ProvenanceComponent(string digest, Func<string> render)
    {
        Digest = digest;
        _render = render;
    }

    /// <summary>SHA-256 (lowercase hex) of the component's canonical bytes (docs/FORMAT.md, "Provenance keys").</summary>
    public string Digest { get; }

    /// <summary>What it was, for people (<c>[2, 5, 10, 15]</c>, <c>cache entry dce/sub-01 (…)</c>); never part of the key.</summary>
    public string Text => _text ??= _render!();

    /// <inheritdoc/>
    public bool Equals(ProvenanceComponent? other) => other is not null && Digest == other.Digest && Text == other.Text;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ProvenanceComponent);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Digest);

    /// <summary><c>DIGEST (TEXT)</c>.</summary>
    public override string ToString() => $"{Digest} ({Text})";
}
