using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// <see cref="GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>
    /// with a fill that resumes: the outer dimension is split into <paramref name="blocks"/> blocks,
    /// <paramref name="fill"/> is called once per block, and each finished block is recorded durably,
    /// so that if the filling process is killed (or the fill throws) the next caller for the key
    /// calls <paramref name="fill"/> only for the blocks not recorded.
    /// </summary>
    /// <remarks>
    /// <para>Blocks: block <c>i</c> covers outer indices <c>[i·rows/blocks, (i+1)·rows/blocks)</c>
    /// (integer division; sizes differ by at most one). The committed entry is the same, byte for
    /// byte and checksum, as an uninterrupted fill's, provided a block's values depend only on its
    /// index and rows.</para>
    /// <para>The blocks done so far live in the store's <c>unfinished/</c> directory (docs/FORMAT.md),
    /// PERSISTENT and CACHED alike, until the entry commits; a block's bytes are flushed to disk
    /// before the record that says it is done. A recorded file that does not match this call
    /// (another shape, element type or block count, or damaged) is discarded and every block is
    /// computed. Files nobody resumes are removed after <see cref="CacheConfig.UnfinishedFillRetention"/>.
    /// For a TRANSIENT type the blocks are filled in order and nothing is recorded.</para>
    /// <para>Single flight and waiting as for the plain GetOrCreate. If <paramref name="fill"/>
    /// throws, nothing is published, the blocks finished before it stay recorded, and the
    /// exception reaches this caller.</para>
    /// </remarks>
    /// <returns>A lease the caller must dispose.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fill"/> or a string is null.</exception>
    /// <exception cref="ArgumentException">A bad shape (a scalar included), key or metadata, or the entry exists with another shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blocks"/> is below 1 or above the outer dimension (or 1,048,576), or a block would hold more than <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="InvalidCastException">The entry exists with another element type.</exception>
    /// <exception cref="InvalidOperationException">The entry is a bundle.</exception>
    /// <exception cref="IOException">The segment or the record of its blocks cannot be created, written or published.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <param name="resultType">The result type (osipy's).</param>
    /// <param name="key">The entry's key within the type.</param>
    /// <param name="shape">The dimensions of the entry, computed or found.</param>
    /// <param name="blocks">How many blocks the outer dimension is split into.</param>
    /// <param name="fill">Fills one block in place, when this caller is the one to compute it.</param>
    /// <param name="metadata">JSON-able values stored with the entry when this call computes it.</param>
    /// <param name="tags">Labels the entry carries when this call computes it.</param>
    public MappedArray<T> GetOrCreate<T>(string resultType, string key, ReadOnlySpan<int> shape, int blocks, BlockFill<T> fill, IReadOnlyDictionary<string, object?>? metadata = null, IReadOnlyCollection<string>? tags = null)
        where T : unmanaged =>
        GetOrCreateInBlocks(resultType, key, shape, blocks, fill, metadata, tags, around: null);

    /// <summary>The block GetOrCreate, with a hook around the fill (the C ABI registers the writer's memory there).</summary>
    internal MappedArray<T> GetOrCreateInBlocks<T>(string resultType, string key, ReadOnlySpan<int> shape, int blocks, BlockFill<T> fill, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags, Func<MappedArrayWriter<T>, IDisposable?>? around)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        ArgumentNullException.ThrowIfNull(fill);
        long[] dims = Arguments.Shape(shape);
        DType dtype = DTypes.FromType(typeof(T));
        FillBlocks plan = FillBlocks.Of(dims, blocks, DTypes.ItemSize(dtype));
        var entryKey = new EntryKey(resultType, key);
        if (_session.GetArray(entryKey, typeof(T)) is MappedArray<T> hit)
        {
            return SameShapeOrThrow(hit, shape);
        }

        string metadataJson = Arguments.Metadata(metadata, tags);
        using ResumableFill<T> resumable = _session.Resumable(entryKey, UnfinishedFillHeader.For(resultType, key, dtype, dims, plan), fill, around);
        MappedArray<T> array = ComputeOrWait<T>(entryKey, dims, resumable.Run, metadataJson);
        resumable.Committed(); // published (or found): the record of its blocks goes, before its lock does
        return SameShapeOrThrow(array, shape);
    }

    /// <summary>The block GetOrCreate for a run-time element type (the C ABI): <paramref name="fill"/> sees each block as bytes.</summary>
    internal MappedArray GetOrCreateInBlocksUntyped(string resultType, string key, DType dtype, long[] shape, int blocks, UntypedBlockFill fill, Func<IUntypedWriter, IDisposable?>? around, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags) =>
        DTypes.Dispatch<UntypedBlocks, MappedArray>(dtype, new UntypedBlocks(this, resultType, key, IntDimensions(shape), blocks, fill, around, metadata, tags));

    /// <summary>A block of a run-time element type, as its bytes.</summary>
    internal delegate void UntypedBlockFill(int index, long firstRow, int rowCount, Span<byte> block);

    private sealed class UntypedBlocks(IntermediateCache cache, string resultType, string key, int[] shape, int blocks, UntypedBlockFill fill, Func<IUntypedWriter, IDisposable?>? around, IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags)
        : IElementTypeVisitor<MappedArray>
    {
        public MappedArray Visit<T>()
            where T : unmanaged => cache.GetOrCreateInBlocks<T>(
                resultType, key, shape, blocks,
                (index, firstRow, rowCount, block) => fill(index, firstRow, rowCount, System.Runtime.InteropServices.MemoryMarshal.AsBytes(block)),
                metadata, tags, around is null ? null : writer => around(writer));
    }
}
