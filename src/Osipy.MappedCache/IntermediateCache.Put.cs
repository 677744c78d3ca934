using System.Runtime.InteropServices;
using System.Text;
using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// Stores <paramref name="data"/>, of shape <paramref name="shape"/> (C order), under
    /// (<paramref name="resultType"/>, <paramref name="key"/>), replacing any entry there atomically.
    /// Does nothing for a TRANSIENT result type.
    /// </summary>
    /// <remarks>Leases on the replaced entry keep seeing the old data.</remarks>
    /// <exception cref="ArgumentNullException">A string argument is null.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length, a dimension is
    /// negative, there are more than 32 dimensions, the key is too long, or the metadata is not JSON-able.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    /// <exception cref="IOException">The segment cannot be written (for example, the disk is full); nothing is left behind.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache directory is not writable by this user.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public void Put<T>(string resultType, string key, ReadOnlySpan<T> data, ReadOnlySpan<int> shape, IReadOnlyDictionary<string, object?>? metadata = null)
        where T : unmanaged
    {
        long[] dims = CheckShape(shape, data.Length);
        var arrays = new[] { new ArrayDraft(string.Empty, DTypes.FromType(typeof(T)), dims) };
        SegmentDraft? draft = PreparePut(resultType, key, SegmentKind.SingleArray, arrays, metadata);
        if (draft is null)
        {
            return;
        }

        if (ShouldCompress(resultType, draft.Policy))
        {
            ArrayBytes.WithAddress(data, address => PutCompressed(draft, address));
            return;
        }

        using SegmentWriter writer = CreateWriter(draft);
        long length = (long)data.Length * DTypes.ItemSize(arrays[0].DType);
        ArrayBytes.WithAddress(data, address => writer.AppendFrom(address, length));
        CommitPut(writer, resultType, key, SegmentKind.SingleArray, draft.Policy);
    }

    /// <summary>Stores a managed array of any rank (float[,,,] and so on); its shape is the array's lengths.</summary>
    /// <inheritdoc cref="Put{T}(string, string, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?)" path="/exception"/>
    public void Put(string resultType, string key, Array data, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArrayDraft array = DraftFor(string.Empty, data);
        SegmentDraft? draft = PreparePut(resultType, key, SegmentKind.SingleArray, [array], metadata);
        if (draft is null)
        {
            return;
        }

        if (ShouldCompress(resultType, draft.Policy))
        {
            ArrayBytes.WithAddress(data, address => PutCompressed(draft, address));
            return;
        }

        using SegmentWriter writer = CreateWriter(draft);
        AppendArray(writer, data, array.DType);
        CommitPut(writer, resultType, key, SegmentKind.SingleArray, draft.Policy);
    }

    /// <summary>Stores several named arrays as one entry (the seed's dict data); read back with <see cref="GetBundle"/>.</summary>
    /// <inheritdoc cref="Put{T}(string, string, ReadOnlySpan{T}, ReadOnlySpan{int}, IReadOnlyDictionary{string, object?}?)" path="/exception"/>
    public void Put(string resultType, string key, IReadOnlyDictionary<string, Array> arrays, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count > SegmentLimits.MaxArrays)
        {
            throw new ArgumentException($"A bundle holds at most {SegmentLimits.MaxArrays} arrays.", nameof(arrays));
        }

        var items = arrays.ToArray();
        var drafts = new ArrayDraft[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(items[i].Value, $"arrays['{items[i].Key}']");
            if (Encoding.UTF8.GetByteCount(items[i].Key) > SegmentLimits.MaxArrayNameBytes)
            {
                throw new ArgumentException($"Array names are limited to {SegmentLimits.MaxArrayNameBytes} UTF-8 bytes.", nameof(arrays));
            }

            drafts[i] = DraftFor(items[i].Key, items[i].Value);
        }

        using SegmentWriter? writer = BeginPut(resultType, key, SegmentKind.Bundle, drafts, metadata, out RetentionPolicy policy);
        if (writer is null)
        {
            return;
        }

        for (int i = 0; i < items.Length; i++)
        {
            AppendArray(writer, items[i].Value, drafts[i].DType);
        }

        CommitPut(writer, resultType, key, SegmentKind.Bundle, policy);
    }

    /// <summary>Checks the arguments and opens the temporary file; null for TRANSIENT.</summary>
    private SegmentWriter? BeginPut(
        string resultType, string key, SegmentKind kind, IReadOnlyList<ArrayDraft> arrays, IReadOnlyDictionary<string, object?>? metadata, out RetentionPolicy policy,
        bool evenIfTransient = false)
    {
        SegmentDraft? draft = PreparePut(resultType, key, kind, arrays, metadata, evenIfTransient);
        policy = draft?.Policy ?? RetentionPolicy.Transient;
        return draft is null ? null : CreateWriter(draft);
    }

    /// <summary>Checks the arguments and describes the segment to write; null for TRANSIENT.</summary>
    private SegmentDraft? PreparePut(
        string resultType, string key, SegmentKind kind, IReadOnlyList<ArrayDraft> arrays, IReadOnlyDictionary<string, object?>? metadata, bool evenIfTransient = false)
    {
        CheckKey(resultType, key);
        string metadataJson = MetadataJson.Serialize(metadata);
        if (Encoding.UTF8.GetByteCount(metadataJson) > SegmentLimits.MaxMetadataBytes)
        {
            throw new ArgumentException($"Metadata is limited to {SegmentLimits.MaxMetadataBytes} bytes of JSON.", nameof(metadata));
        }

        ThrowIfDisposed();
        RetentionPolicy policy = GetPolicy(resultType);
        if (policy == RetentionPolicy.Transient && !evenIfTransient)
        {
            return null;
        }

        return new SegmentDraft
        {
            Kind = kind,
            Key = key,
            ResultType = resultType,
            Policy = policy,
            CreatedUnixMilliseconds = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            SessionId = _sessionId,
            MetadataJson = metadataJson,
            Arrays = arrays,
        };
    }

    /// <summary>Opens the temporary file for <paramref name="draft"/> in its store, journaled first.</summary>
    private SegmentWriter CreateWriter(SegmentDraft draft)
    {
        SegmentStore store = StoreFor(draft.Policy);
        string directory = store.EnsureTypeDirectory(draft.ResultType);
        _session.NoteTempDirectory(store.Tag, Path.GetFileName(directory));
        return SegmentWriter.Create(directory, draft);
    }

    /// <summary>Publishes the written segment and updates the table, under the lock so threads agree on the order.</summary>
    private void CommitPut(SegmentWriter writer, string resultType, string key, SegmentKind kind, RetentionPolicy policy)
    {
        SegmentStore store = StoreFor(policy);
        string path = store.SegmentPath(resultType, key, kind);
        var entryKey = new EntryKey(resultType, key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (policy == RetentionPolicy.Cached)
            {
                // Journaled before it exists, so a crash after the rename still leaves it listed.
                _session.NoteCachedSegment(store.Tag, Path.GetFileName(Path.GetDirectoryName(path))!, Path.GetFileName(path));
            }

            (SegmentRecord record, _) = writer.Publish(path);

            DeleteOtherKinds(store, resultType, key, kind);
            if (_table.Remove(entryKey) is { } previous)
            {
                // The previous file was replaced by the rename (or deleted just above), so only its mapping goes.
                Release(previous, deleteOwnedFile: false);
            }

            if (policy == RetentionPolicy.Cached)
            {
                var state = new EntryState(entryKey, path, record, CacheEntries.FromRecord(record), ownedCached: true);
                _table.Add(state);
                EvictOverBudget(keep: state);
            }
        }
    }

    /// <summary>A key holds one kind of file at a time: publishing one kind removes the others.</summary>
    private static void DeleteOtherKinds(SegmentStore store, string resultType, string key, SegmentKind published)
    {
        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            if (kind != published)
            {
                SegmentStore.Delete(store.SegmentPath(resultType, key, kind));
            }
        }
    }

    private static ArrayDraft DraftFor(string name, Array data)
    {
        Type elementType = data.GetType().GetElementType()!;
        DType dtype = DTypes.FromType(elementType);
        if (data.Rank > SegmentLimits.MaxDimensions)
        {
            throw new ArgumentException($"Arrays of more than {SegmentLimits.MaxDimensions} dimensions cannot be cached.", nameof(data));
        }

        var shape = new long[data.Rank];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = data.GetLength(d);
        }

        return new ArrayDraft(name, dtype, shape);
    }

    private static void AppendArray(SegmentWriter writer, Array data, DType dtype)
    {
        long length = checked(data.LongLength * DTypes.ItemSize(dtype));
        ArrayBytes.WithAddress(data, address => writer.AppendFrom(address, length));
    }

    private static long[] CheckShape(ReadOnlySpan<int> shape, int dataLength)
    {
        long[] dims = CheckShape(shape);
        long product = SegmentLayout.ElementCount(dims);
        if (product != dataLength)
        {
            throw new ArgumentException($"The shape ({string.Join(", ", dims)}) holds {product} elements but the data has {dataLength}.", nameof(shape));
        }

        return dims;
    }

    /// <summary>The shape as dimensions, checked: at most 32, none negative, a product that fits a file.</summary>
    private static long[] CheckShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length > SegmentLimits.MaxDimensions)
        {
            throw new ArgumentException($"Arrays of more than {SegmentLimits.MaxDimensions} dimensions cannot be cached.", nameof(shape));
        }

        var dims = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            dims[d] = shape[d] >= 0 ? shape[d] : throw new ArgumentException($"Dimension {d} of the shape is negative ({shape[d]}).", nameof(shape));
        }

        try
        {
            _ = SegmentLayout.PayloadLength(DType.Complex128, dims); // the widest element: fits for every type
        }
        catch (OverflowException)
        {
            throw new ArgumentException($"The shape ({string.Join(", ", dims)}) holds more elements than a file can.", nameof(shape));
        }

        return dims;
    }

    private static void CheckKey(string resultType, string key)
    {
        ArgumentNullException.ThrowIfNull(resultType);
        ArgumentNullException.ThrowIfNull(key);
        if (Encoding.UTF8.GetByteCount(key) > SegmentLimits.MaxKeyBytes || Encoding.UTF8.GetByteCount(resultType) > SegmentLimits.MaxKeyBytes)
        {
            throw new ArgumentException($"Keys and result types are limited to {SegmentLimits.MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }
    }

    private void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }
    }
}
