using System.Diagnostics;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>Zero-copy puts: a writer fills a shared mapping of the temporary file, then commits.</summary>
internal sealed partial class CacheSession
{
    /// <summary>Starts a zero-copy write of one array; see <see cref="IntermediateCache.Create{T}"/>.</summary>
    public MappedArrayWriter<T> Create<T>(SegmentDraft draft)
        where T : unmanaged
    {
        ArrayDraft array = draft.Arrays[0];
        SegmentWriter writer = BeginWrite(draft);
        SegmentMapping? mapping = null;
        try
        {
            mapping = SegmentMapping.MapShared(writer.File.Handle, writer.RecordOffset, writer.File.Path);
            if (draft.Policy == RetentionPolicy.Transient)
            {
                writer.File.Unlink(); // the mapping keeps the pages; nothing is ever published
            }

            CacheEntry entry = CacheEntries.FromDraft(draft);
            var record = new ArrayRecord(string.Empty, array.DType, array.Shape, writer.PayloadOffset(0), array.PayloadLength, PayloadChecksum: 0);
            return new MappedArrayWriter<T>(this, writer, mapping, (MappedArray<T>)MappedArray.Lease(mapping, entry, record));
        }
        catch
        {
            mapping?.Dispose();
            writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Seals and publishes a writer's segment and returns a lease on the bytes this writer
    /// published (never on what a concurrent writer of the key published after it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The writer's memory is pinned: the published file must never change.</exception>
    internal MappedArray<T> Commit<T>(MappedArrayWriter<T> writer)
        where T : unmanaged
    {
        SegmentDraft draft = writer.Segment.Draft;
        if (draft.Policy == RetentionPolicy.Transient)
        {
            // The view's lease becomes the mapping's only owner: it is the caller's now.
            writer.Mapping.Dispose();
            return writer.View;
        }

        long started = Stopwatch.GetTimestamp();
        if (_settings.ShouldCompress(draft.ResultType, draft.Policy))
        {
            // Compressed at rest: compressed from the filled mapping; the temporary file is then dropped.
            MappingLease? lease = PutCompressed(draft, writer.View.AsByteSource(), takeLease: true, out EntryState compressed);
            CacheMetrics.Written(draft.ResultType, (long)compressed.Identity.Size, started, create: true);
            return new MappedArray<T>(lease!.HandOver(), compressed.Entry, compressed.MappedArrays[0]);
        }

        writer.Segment.AdoptPayloadChecksums([writer.View.ComputePayloadChecksum()]);

        // The data is in the page cache; the shared, writable mapping goes before the file is
        // published, so nothing can write to a published segment.
        writer.ReleaseMapping();
        (EntryState state, MappingLease? published) = Publish(writer.Segment, takeLease: true);
        var committed = new MappedArray<T>(published!.HandOver(), state.Entry, state.MappedArrays[0]);
        UploadIfPersistent(writer.Segment, state);
        CacheMetrics.Written(draft.ResultType, writer.Segment.FileLength, started, create: true);
        return committed;
    }
}
