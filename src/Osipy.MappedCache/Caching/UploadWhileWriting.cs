using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// Uploads a PERSISTENT segment to the remote tier while the put is still writing it: the tier
/// reads each chunk from a private mapping of the file as soon as the writer has passed it, so the
/// network transfer overlaps the local write instead of following it.
/// </summary>
/// <remarks>
/// <para>The upload runs on its own thread (it waits for the writer between chunks). The last
/// chunk holds the record, which exists only once the segment is sealed, and the writer releases
/// it only after the local publication: the remote commit still comes after the local one.</para>
/// <para>Usage: <see cref="Start"/>, then set <see cref="SegmentWriter.Progress"/> to
/// <see cref="Advance"/>, write and publish, call <see cref="Complete"/> and <see cref="Finish"/>.
/// Disposing without <see cref="Complete"/> (the put failed) makes every waiting read throw, waits
/// for the upload to end (so no chunk is read from an unmapped file) and leaves nothing committed:
/// the chunks already sent expire uncommitted.</para>
/// </remarks>
internal sealed class UploadWhileWriting : IDisposable
{
    private readonly object _gate = new(); // Monitor.Wait needs a monitor, not a System.Threading.Lock
    private readonly SegmentMapping _mapping;
    private readonly MappingLease _lease;
    private readonly long _length;
    private readonly Task<bool> _upload;
    private long _available;
    private string? _stamp;
    private bool _abandoned;

    private readonly IReadOnlyList<string> _tags;

    private UploadWhileWriting(IRemoteTier remote, EntryKey key, SegmentMapping mapping, long length, IReadOnlyList<string> tags)
    {
        _mapping = mapping;
        _lease = new MappingLease(mapping);
        _length = length;
        _tags = tags;
        var source = new Source(this);
        _upload = Task.Factory.StartNew(
            () => remote.Upload(key.ResultType, key.Key, source),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Maps <paramref name="writer"/>'s file at its final length (pages past the current end are read only once written) and starts the upload.</summary>
    public static UploadWhileWriting Start(IRemoteTier remote, EntryKey key, SegmentWriter writer)
    {
        SegmentMapping mapping = SegmentMapping.MapPrivate(writer.File.Handle, writer.FileLength, writer.File.Path);
        try
        {
            return new UploadWhileWriting(remote, key, mapping, writer.FileLength, EntryTags.Of(writer.Draft.MetadataJson));
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>Every byte below <paramref name="writtenThrough"/> is final; the upload may read up to there (not past the record, until <see cref="Complete"/>).</summary>
    public void Advance(long writtenThrough)
    {
        lock (_gate)
        {
            // The record's bytes are read only after the local publication (Complete).
            _available = Math.Max(_available, Math.Min(writtenThrough, _length - 1));
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The segment is sealed and published locally as the write named <paramref name="stamp"/>: the upload may read the rest and commit.</summary>
    public void Complete(string stamp)
    {
        lock (_gate)
        {
            _available = _length;
            _stamp = stamp;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits for the upload: true if committed, false if another upload committed first; throws what the tier threw.</summary>
    public bool Finish() => _upload.GetAwaiter().GetResult();

    public void Dispose()
    {
        lock (_gate)
        {
            _abandoned = _stamp is null;
            Monitor.PulseAll(_gate);
        }

        try
        {
            // Never unmap under a read in flight. The tier's calls have timeouts, so this ends.
            _upload.Wait();
        }
        catch (AggregateException)
        {
            // Abandoned or failed: the caller learned of a failure from Finish, or the put itself failed.
        }

        _lease.Dispose();
        _mapping.Dispose();
    }

    private ReadOnlyMemory<byte> Slice(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _length - length);
        lock (_gate)
        {
            while (_available < offset + length && !_abandoned)
            {
                Monitor.Wait(_gate);
            }

            if (_available < offset + length)
            {
                throw new OperationCanceledException("The put failed before this part of the segment was written; nothing is committed.");
            }
        }

        return new MappedMemoryManager<byte>(_lease, offset, length).Memory;
    }

    private string Stamp
    {
        get
        {
            lock (_gate)
            {
                while (_stamp is null && !_abandoned)
                {
                    Monitor.Wait(_gate);
                }

                return _stamp ?? throw new OperationCanceledException("The put failed; nothing is committed.");
            }
        }
    }

    /// <summary>The segment as the tier sees it: a slice waits until the writer has passed it.</summary>
    private sealed class Source(UploadWhileWriting upload) : RemoteSegmentSource
    {
        public override long Length => upload._length;

        public override string Stamp => upload.Stamp;

        public override IReadOnlyList<string> Tags => upload._tags;

        public override ReadOnlyMemory<byte> Slice(long offset, int length) => upload.Slice(offset, length);
    }
}
