using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Provenance;

namespace Osipy.MappedCache;

/// <summary>
/// Collects the components of a <see cref="ProvenanceKey"/>: <see cref="Code(MethodInfo)"/>,
/// <see cref="Version"/>, <see cref="Argument"/>, <see cref="Input"/>, <see cref="Array{T}"/>; then <see cref="Build"/>.
/// </summary>
/// <remarks>
/// Each value is encoded when it is added (docs/FORMAT.md, "Provenance keys"), so later changes
/// to a mutable argument do not reach the key. Not thread-safe: one builder per key.
/// </remarks>
public sealed class ProvenanceKeyBuilder
{
    private const string Trimming = "Reads the method's IL and resolves its metadata tokens; not supported when trimmed or under NativeAOT.";

    private readonly string _function;
    private readonly Dictionary<string, ProvenanceComponent> _components = new(StringComparer.Ordinal);

    internal ProvenanceKeyBuilder(string function)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        if (function.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A function name must not contain '@' (it separates the name from the digest in the key): '{function}'.", nameof(function));
        }

        _function = function;
    }

    /// <summary>
    /// Adds the code identity of <paramref name="method"/> (component <c>code F</c>) and of every method of
    /// the same assembly it calls, transitively (components <c>helper Type.Method</c>): its IL with
    /// member references resolved to names, so a changed constant, call or helper body changes the key
    /// and a comment, a blank line or an unrelated edit elsewhere in the assembly does not.
    /// </summary>
    /// <remarks>Debug and Release builds differ (so do their keys). Read once per method and cached.
    /// Code in other assemblies is not followed: give a <see cref="Version"/> for it.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="method"/> is null.</exception>
    /// <exception cref="ArgumentException">The method has no IL body, or code was already added.</exception>
    [RequiresUnreferencedCode(Trimming)]
    public ProvenanceKeyBuilder Code(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        foreach ((string name, string digest, string text) in CodeIdentity.Of(method).Components(_function))
        {
            Add(name, digest, text);
        }

        return this;
    }

    /// <summary>Adds the code identity of the delegate's method; see <see cref="Code(MethodInfo)"/>.</summary>
    /// <inheritdoc cref="Code(MethodInfo)" path="/exception"/>
    [RequiresUnreferencedCode(Trimming)]
    public ProvenanceKeyBuilder Code(Delegate function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Code(function.Method);
    }

    /// <summary>Adds the user's salt (component <c>version</c>): change it to recompute what code identity cannot see.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="version"/> is null.</exception>
    /// <exception cref="ArgumentException">A version was already added.</exception>
    public ProvenanceKeyBuilder Version(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        Add("version", Digest(version, "version"), () => ProvenanceText.Of(version));
        return this;
    }

    /// <summary>
    /// Adds a parameter by value (component <c>argument NAME</c>): null, bool, integers, floating-point
    /// numbers by their exact bits (1 and 1.0 differ, as do 0.0 and -0.0), complex numbers, strings,
    /// byte arrays, sequences (a <c>double[]</c> is a list of numbers) and string-keyed dictionaries
    /// (in any order) of these.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">The value (or a part of it) has no canonical form (the message names the argument), or the name was already added.</exception>
    public ProvenanceKeyBuilder Argument(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        Add($"argument {name}", Digest(value, name), () => ProvenanceText.Of(value));
        return this;
    }

    /// <summary>
    /// Adds an input that is a cache entry (component <c>argument NAME</c>), by the payload checksum,
    /// length, dtype and shape its record stores: nothing is read or hashed, so the key of a
    /// many-gigabyte series costs what a dictionary lookup does.
    /// </summary>
    /// <remarks>The lease's pages are copy-on-write: an input changed in place through its span
    /// is still keyed as the entry on disk. Compute from an unchanged view.</remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="entry"/> is disposed.</exception>
    /// <exception cref="ArgumentException">The name was already added.</exception>
    public ProvenanceKeyBuilder Input(string name, MappedArray entry)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(entry);
        ObjectDisposedException.ThrowIf(entry.IsDisposed, entry);
        ArrayRecord record = entry.Record;
        byte[] bytes = ProvenanceEncoding.EncodeEntry(DTypes.Descr(record.DType), record.Shape, record.PayloadChecksum, record.PayloadLength);
        CacheEntry source = entry.Entry;
        string array = entry.Name;
        Add($"argument {name}", ProvenanceEncoding.Sha256Hex(bytes), () => ProvenanceText.Cut(
            $"cache entry {source.ResultType}/{source.Key}{(array.Length == 0 ? "" : ":" + array)} ({DTypes.Name(record.DType)}[{string.Join(", ", record.Shape)}], "
            + $"xxh3 {record.PayloadChecksum.ToString("x16", CultureInfo.InvariantCulture)})"));
        return this;
    }

    /// <summary>
    /// Adds an array by content (component <c>argument NAME</c>): its dtype, shape and the SHA-256 of
    /// its bytes in C order. Reads every byte; for an array that is a cache entry use <see cref="Input"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape's product is not the data's length, or the name was already added.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    public ProvenanceKeyBuilder Array<T>(string name, ReadOnlySpan<T> data, ReadOnlySpan<int> shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(name);
        DType dtype = DTypes.FromType(typeof(T));
        long[] dims = new long[shape.Length];
        long count = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(shape[d], nameof(shape));
            dims[d] = shape[d];
            count *= shape[d];
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"Array '{name}' has {data.Length} elements; its shape ({string.Join(", ", dims)}) holds {count}.", nameof(shape));
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(data)));
        string digest = ProvenanceEncoding.Sha256Hex(ProvenanceEncoding.EncodeArray(DTypes.Descr(dtype), dims, sha));
        // The text is rendered now only for a small array (whose values it shows); a large one's needs no copy.
        string text = data.Length <= 8 && shape.Length <= 1
            ? $"array {DTypes.Name(dtype)}{ProvenanceText.Of(data.ToArray())}"
            : $"array {DTypes.Name(dtype)}[{string.Join(", ", dims)}] sha256 {digest[..12]}";
        Add($"argument {name}", digest, ProvenanceText.Cut(text));
        return this;
    }

    /// <summary>The key of what was added.</summary>
    public ProvenanceKey Build()
    {
        var sorted = new List<KeyValuePair<string, ProvenanceComponent>>(_components);
        sorted.Sort((a, b) => ProvenanceEncoding.CompareUtf8(a.Key, b.Key));
        return new ProvenanceKey(_function, new SortedComponents(sorted));
    }

    private static string Digest(object? value, string argument) => ProvenanceEncoding.Sha256Hex(ProvenanceEncoding.Encode(value, argument));

    private void Add(string name, string digest, string text) => Add(name, new ProvenanceComponent(digest, text));

    private void Add(string name, string digest, Func<string> text) => Add(name, new ProvenanceComponent(digest, text));

    private void Add(string name, ProvenanceComponent component)
    {
        if (!_components.TryAdd(name, component))
        {
            throw new ArgumentException($"The key of {_function} already has a component '{name}'.", nameof(name));
        }
    }
}
