using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
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
    public MappedArrayWriter<T> Create<T>(string resultType, string key, ReadOnlySpan<int> shape, IReadOnlyDictionary<string, object?>? metadata = null)
        where T : unmanaged
    {
        var array = new ArrayDraft(string.Empty, DTypes.FromType(typeof(T)), CheckShape(shape));
        SegmentWriter writer = BeginPut(resultType, key, SegmentKind.SingleArray, [array], metadata, out RetentionPolicy policy, evenIfTransient: true)!;
        SegmentMapping? mapping = null;
        try
        {
            mapping = SegmentMapping.MapShared(writer.Handle, writer.RecordOffset, writer.TempPath);
            if (policy == RetentionPolicy.Transient)
            {
                File.Delete(writer.TempPath); // the mapping keeps the pages; nothing is ever published
            }

            var entry = new CacheEntry
            {
                Key = key,
                ResultType = resultType,
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(writer.Draft.CreatedUnixMilliseconds),
                SizeBytes = array.PayloadLength,
                MetadataJson = writer.Draft.MetadataJson,
                Policy = policy,
                ElementType = typeof(T),
                Shape = Array.AsReadOnly(shape.ToArray()),
                ArrayNames = [],
            };
            var record = new ArrayRecord(string.Empty, array.DType, array.Shape, writer.PayloadOffset(0), array.PayloadLength, PayloadChecksum: 0);
            var view = new MappedArray<T>(new MappingLease(mapping), entry, record);
            return new MappedArrayWriter<T>(this, writer, mapping, view, policy);
        }
        catch
        {
            mapping?.Dispose();
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Seals and publishes a writer's segment; see <see cref="MappedArrayWriter{T}.Commit"/>.</summary>
    internal MappedArray<T> CommitCreated<T>(MappedArrayWriter<T> writer)
        where T : unmanaged
    {
        if (writer.Policy == RetentionPolicy.Transient)
        {
            // The view's lease becomes the mapping's only owner: it is the caller's now.
            writer.Mapping.Dispose();
            return writer.View;
        }

        CacheEntry entry = writer.Entry;
        if (ShouldCompress(entry.ResultType, writer.Policy))
        {
            // Compressed at rest: compress from the filled mapping; the temporary file is then dropped.
            PutCompressed(writer.Segment.Draft, writer.View.DangerousGetAddress());
            writer.View.Dispose();
            writer.Mapping.Dispose();
            lock (_gate)
            {
                return GetCore<T>(entry.ResultType, entry.Key, countHit: false)
                    ?? throw new IOException($"The segment for '{entry.Key}' ({entry.ResultType}) was removed by another process as soon as it was published.");
            }
        }

        ulong checksum = writer.View.ComputePayloadChecksum();
        writer.Segment.AdoptPayloadChecksums([checksum]);

        // The data is in the page cache; the shared, writable mapping must not outlive the commit.
        writer.View.Dispose();
        writer.Mapping.Dispose();

        lock (_gate)
        {
            CommitPut(writer.Segment, entry.ResultType, entry.Key, SegmentKind.SingleArray, writer.Policy);
            MappedArray<T>? lease = GetCore<T>(entry.ResultType, entry.Key, countHit: false);
            return lease ?? throw new IOException($"The segment for '{entry.Key}' ({entry.ResultType}) was removed by another process as soon as it was published.");
        }
    }
}
