using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// Stores <paramref name="data"/>, of shape <paramref name="shape"/> (C order), under
    /// (<paramref name="resultType"/>, <paramref name="key"/>), replacing any entry there atomically,
    /// whichever session or process wrote it. Does nothing for a TRANSIENT result type.
    /// </summary>
    /// <remarks>Leases on the replaced entry keep seeing the old data; the next get in any session sees the new.</remarks>
    /// <exception cref="ArgumentNullException">A string argument is null.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length, a dimension is
    /// negative, there are more than 32 dimensions, the key is not valid UTF-16 or too long, or the metadata is not JSON-able.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    /// <exception cref="IOException">The segment cannot be written (for example, the disk is full); nothing is left behind.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache directory is not writable by this user.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <param name="resultType">The result type (osipy's).</param>
    /// <param name="key">The entry's key within the type.</param>
    /// <param name="data">The elements, C order.</param>
    /// <param name="shape">The dimensions.</param>
    /// <param name="metadata">JSON-able values stored with the entry.</param>
    /// <param name="tags">Labels such as "subject:07" that <see cref="InvalidateTag"/> finds the entry by (at most 64, each up to 256 UTF-8 bytes).</param>
    public void Put<T>(string resultType, string key, ReadOnlySpan<T> data, ReadOnlySpan<int> shape, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        var array = new ArrayDraft(string.Empty, DTypes.FromType(typeof(T)), Arguments.Shape(shape, data.Length));
        if (_session.Draft(new EntryKey(resultType, key), SegmentKind.SingleArray, [array], Arguments.Metadata(metadata, tags)) is { } draft)
        {
            ByteSource.With(data, source => _session.PutArray(draft, source));
        }
    }

    /// <summary>Stores a managed array of any rank (float[,,,] and so on); its shape is the array's lengths.</summary>
    /// <inheritdoc cref="Put{T}(string, string, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)" path="/exception"/>
    public void Put(string resultType, string key, Array data, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
    {
        Arguments.CheckKey(resultType, key);
        ArgumentNullException.ThrowIfNull(data);
        ArrayDraft array = Arguments.DraftFor(string.Empty, data, nameof(data));
        if (_session.Draft(new EntryKey(resultType, key), SegmentKind.SingleArray, [array], Arguments.Metadata(metadata, tags)) is { } draft)
        {
            ByteSource.With(data, DTypes.ItemSize(array.DType), source => _session.PutArray(draft, source));
        }
    }

    /// <summary>Stores several named arrays as one entry (the seed's dict data); read back with <see cref="GetBundle"/>.</summary>
    /// <inheritdoc cref="Put{T}(string, string, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)" path="/exception"/>
    public void Put(string resultType, string key, IReadOnlyDictionary<string, Array> arrays, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
    {
        Arguments.CheckKey(resultType, key);
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count > SegmentLimits.MaxArrays)
        {
            throw new ArgumentException($"A bundle holds at most {SegmentLimits.MaxArrays} arrays.", nameof(arrays));
        }

        var drafts = new ArrayDraft[arrays.Count];
        var sources = new Action<SegmentWriter>[arrays.Count];
        int i = 0;
        foreach ((string name, Array data) in arrays)
        {
            Arguments.CheckArrayName(name, nameof(arrays));
            ArgumentNullException.ThrowIfNull(data, $"arrays['{name}']");
            ArrayDraft array = Arguments.DraftFor(name, data, nameof(arrays));
            drafts[i] = array;
            sources[i++] = writer => ByteSource.With(data, DTypes.ItemSize(array.DType), writer.Append);
        }

        if (_session.Draft(new EntryKey(resultType, key), SegmentKind.Bundle, drafts, Arguments.Metadata(metadata, tags)) is { } draft)
        {
            _session.PutBundle(draft, sources);
        }
    }

    /// <summary>
    /// Starts a zero-copy put: returns a writer whose views point into a new segment file of the
    /// given shape, to be filled in place and then <see cref="MappedArrayWriter{T}.Commit"/>ted.
    /// </summary>
    /// <remarks>
    /// Costs one pass over the data (the producer's) plus the checksum pass at commit. For a
    /// TRANSIENT result type the writer is backed by a private, unlinked file and nothing is published.
    /// </remarks>
    /// <returns>A writer the caller must commit or dispose.</returns>
    /// <exception cref="ArgumentException">A bad shape, key or metadata (as for Put).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    /// <exception cref="IOException">The file cannot be created or its space reserved (for example, the disk is full).</exception>
    /// <exception cref="UnauthorizedAccessException">The cache directory is not writable by this user.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public MappedArrayWriter<T> Create<T>(string resultType, string key, ReadOnlySpan<int> shape, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        var array = new ArrayDraft(string.Empty, DTypes.FromType(typeof(T)), Arguments.Shape(shape));
        SegmentDraft draft = _session.Draft(new EntryKey(resultType, key), SegmentKind.SingleArray, [array], Arguments.Metadata(metadata, tags), evenIfTransient: true)!;
        return _session.Create<T>(draft);
    }


    /// <summary>Put of one array with a run-time element type, from memory a C caller owns (the C ABI).</summary>
    internal void PutUntyped(string resultType, string key, DType dtype, long[] shape, ByteSource data, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags = null)
    {
        Arguments.CheckKey(resultType, key);
        var array = new ArrayDraft(string.Empty, dtype, Arguments.CheckFits(shape, nameof(shape)));
        CheckSourceLength(data, array, nameof(data));
        if (_session.Draft(new EntryKey(resultType, key), SegmentKind.SingleArray, [array], Arguments.Metadata(metadata, tags)) is { } draft)
        {
            _session.PutArray(draft, data);
        }
    }

    /// <summary>Put of named arrays with run-time element types, from memory a C caller owns (the C ABI).</summary>
    internal void PutBundleUntyped(string resultType, string key, IReadOnlyList<(string Name, DType DType, long[] Shape, ByteSource Data)> arrays, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags = null)
    {
        Arguments.CheckKey(resultType, key);
        var drafts = new ArrayDraft[arrays.Count];
        var sources = new Action<SegmentWriter>[arrays.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < arrays.Count; i++)
        {
            (string name, DType dtype, long[] shape, ByteSource data) = arrays[i];
            Arguments.CheckArrayName(name, $"names[{i}]");
            if (!names.Add(name))
            {
                throw new ArgumentException($"Array name '{name}' appears twice.", $"names[{i}]");
            }

            drafts[i] = new ArrayDraft(name, dtype, Arguments.CheckFits(shape, $"shapes[{i}]"));
            CheckSourceLength(data, drafts[i], $"datas[{i}]");
            sources[i] = writer => writer.Append(data);
        }

        if (_session.Draft(new EntryKey(resultType, key), SegmentKind.Bundle, drafts, Arguments.Metadata(metadata, tags)) is { } draft)
        {
            _session.PutBundle(draft, sources);
        }
    }

    /// <summary>Like <see cref="Create{T}"/> for a run-time element type (the C ABI).</summary>
    internal IUntypedWriter CreateUntyped(string resultType, string key, DType dtype, long[] shape, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags = null) =>
        DTypes.Dispatch<UntypedCreate, IUntypedWriter>(dtype, new UntypedCreate(this, resultType, key, IntDimensions(shape), metadata, tags));

    /// <summary>Dimensions from C, checked, as the ints the typed entry points take.</summary>
    private static int[] IntDimensions(long[] shape)
    {
        long[] checkedShape = Arguments.CheckFits(shape, nameof(shape));
        var dims = new int[checkedShape.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = (int)checkedShape[i];
        }

        return dims;
    }

    private static void CheckSourceLength(ByteSource data, ArrayDraft array, string parameterName)
    {
        if (data.Length != array.PayloadLength)
        {
            throw new ArgumentException($"The data holds {data.Length} bytes; the shape and element type need {array.PayloadLength}.", parameterName);
        }
    }
}

/// <summary><see cref="IntermediateCache.Create{T}"/> for the element type of a run-time code.</summary>
internal sealed class UntypedCreate(IntermediateCache cache, string resultType, string key, int[] shape, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags)
    : IElementTypeVisitor<IUntypedWriter>
{
    public IUntypedWriter Visit<T>()
        where T : unmanaged => cache.Create<T>(resultType, key, shape, metadata, tags);
}

/// <summary>A <see cref="MappedArrayWriter{T}"/> seen without its type parameter (the C ABI).</summary>
internal interface IUntypedWriter : IDisposable
{
    /// <summary>The view being filled; valid until commit or dispose.</summary>
    MappedArray View { get; }

    /// <summary><see cref="MappedArrayWriter{T}.Commit"/>, untyped.</summary>
    MappedArray CommitUntyped();
}
