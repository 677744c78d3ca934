using System.Diagnostics.CodeAnalysis;
using Osipy.MappedCache.Provenance;

namespace Osipy.MappedCache;

/// <summary>
/// The key of a result named by what it was computed from: its function, the code identity of that
/// function and its helpers, its arguments (parameters by value, arrays by content, cache entries by
/// their stored checksum) and an optional version (docs/FORMAT.md, "Provenance keys").
/// Made by <see cref="ProvenanceKeyBuilder"/>; taken by the <see cref="IntermediateCache"/> overloads
/// of Get, Has, Put, GetOrCreate, Memoize and Explain.
/// </summary>
/// <example><code>
/// ProvenanceKey key = ProvenanceKey.For("fit_t1").Code(FitT1)
///     .Input("series", series).Argument("flip_angles", new[] { 2, 5, 10, 15 }).Build();
/// using MappedArray&lt;float&gt; t1 = cache.Memoize("t1_map", key, [64, 64, 20], () =&gt; FitT1(series, angles));
/// </code></example>
/// <remarks>Immutable and thread-safe. Two keys are equal when their <see cref="Key"/>s are.</remarks>
public sealed class ProvenanceKey : IEquatable<ProvenanceKey>
{
    internal ProvenanceKey(string function, IReadOnlyDictionary<string, ProvenanceComponent> components, int encoding = ProvenanceEncoding.Version, string? key = null)
    {
        Function = function;
        Components = components;
        Encoding = encoding;
        Key = key ?? ProvenanceEncoding.KeyText(function, ProvenanceEncoding.KeyDigest(function, components.Select(c => KeyValuePair.Create(c.Key, c.Value.Digest))));
    }

    /// <summary>The entry key: <c>&lt;function&gt;@&lt;32 hex digits of the key digest&gt;</c>.</summary>
    public string Key { get; }

    /// <summary>The function's name, as given to <see cref="For(string)"/>.</summary>
    public string Function { get; }

    /// <summary>Each component by name (<c>argument NAME</c>, <c>code F</c>, <c>helper H</c>, <c>version</c>), sorted by name.</summary>
    public IReadOnlyDictionary<string, ProvenanceComponent> Components { get; }

    /// <summary>The encoding version the key was made with (a stored key may be older than this library's).</summary>
    public int Encoding { get; }

    /// <summary>Starts the key of a result of <paramref name="function"/>, named by the caller.</summary>
    /// <param name="function">The function's name: the first part of the entry key, and what Explain compares entries by. Non-empty, no '@'.</param>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> is empty or contains '@'.</exception>
    public static ProvenanceKeyBuilder For(string function) => new(function);

    /// <summary>
    /// Starts the key of a result of <paramref name="function"/>: named by its method's name, with its
    /// code identity (<see cref="ProvenanceKeyBuilder.Code(Delegate)"/>) already added. Prefer a named
    /// method: a lambda's compiler-made name changes when lambdas are added before it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ArgumentException">The method has no IL body.</exception>
    [RequiresUnreferencedCode("Reads the method's IL and resolves its metadata tokens; not supported when trimmed or under NativeAOT.")]
    public static ProvenanceKeyBuilder For(Delegate function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new ProvenanceKeyBuilder(function.Method.Name).Code(function);
    }

    /// <inheritdoc/>
    public bool Equals(ProvenanceKey? other) => other is not null && Key == other.Key;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ProvenanceKey);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    /// <summary>The entry key, <see cref="Key"/>.</summary>
    public override string ToString() => Key;
}
