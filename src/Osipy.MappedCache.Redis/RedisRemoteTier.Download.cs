using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>The download: chunks received on the bulk connection straight into the local segment.</summary>
public sealed partial class RedisRemoteTier
{
    /// <inheritdoc />
    /// <remarks>
    /// The manifest is read on the control connection, the chunks on the bulk one. Each chunk is
    /// checked against the manifest and written at its offset as soon as it arrives, on this thread;
    /// at most <see cref="RedisRemoteTierOptions.Window"/> chunks are requested or held at once, so
    /// the memory a download holds is the window's, whatever the entry's size.
    /// </remarks>
    public bool Download(RemoteEntry entry, RemoteSegmentTarget target)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(target);
        string id = RedisKeys.EntryId(entry.ResultType, entry.Key);
        RedisValue raw = Control.StringGet(_keys.Manifest(id));
        RemoteManifest? manifest = Decode(raw, entry.ResultType, entry.Key, target.Length);
        if (manifest is null || manifest.Removed || manifest.Version != entry.Version || manifest.Length != target.Length)
        {
            return false; // replaced or removed since Find
        }

        if (ReceiveChunks(id, manifest, target))
        {
            return true;
        }

        // Evicted, expired or damaged: never a partial array. Remove the manifest (if still this one)
        // so the next put heals it; no tombstone and no log entry, since nothing was invalidated.
        if (Commit(id, raw, RedisValue.EmptyString, entry.ResultType, inTypeSet: false, change: null, manifest) != 0)
        {
            CollectReplaced(id, manifest);
        }

        return false;
    }

    /// <summary>The most chunk replies one download has held at once since the tier was made (requested and not yet written); for tests.</summary>
    internal int MostChunksHeld => _mostChunksHeld;

    /// <summary>
    /// GETs the chunks in index order, <see cref="RedisRemoteTierOptions.Window"/> requests ahead,
    /// and takes each reply on this thread in the same order: checks its digest, writes it at its
    /// offset (a pwrite from the reply's buffer into the segment, while the bytes are still in the
    /// CPU's cache from the check) and returns the buffer before the next request goes out.
    /// </summary>
    /// <remarks>
    /// Invariant: at most Window replies are requested or held at once, so the client's reply
    /// buffers (StackExchange.Redis rents each from <c>ArrayPool&lt;byte&gt;.Shared</c>) number at
    /// most Window, and all go back to the pool from this one thread, where the next rents find them:
    /// a download's private memory stays at the window's, flat in the entry's size. Writes end
    /// when this returns: a reply still on its way after a failure is only returned to the pool.
    /// </remarks>
    /// <returns>False at the first missing, short or damaged chunk.</returns>
    private bool ReceiveChunks(string id, RemoteManifest manifest, RemoteSegmentTarget target)
    {
        IDatabase bulk = Bulk;
        int count = manifest.ChunkCount;
        var requested = new Queue<Task<Lease<byte>?>>(Math.Min(count, _options.Window));
        int next = 0;
        try
        {
            for (int index = 0; index < count; index++)
            {
                while (next < count && requested.Count < _options.Window)
                {
                    requested.Enqueue(bulk.StringGetLeaseAsync(_keys.Chunk(id, manifest.Version, next++)));
                }

                NoteHeld(requested.Count);
                using Lease<byte>? chunk = requested.Dequeue().GetAwaiter().GetResult();
                if (chunk is null || chunk.Length != manifest.ChunkLength(index) || _digest.Of(id, manifest.Version, index, chunk.Span) != manifest.Sums![index])
                {
                    return false;
                }

                target.Write((long)index * manifest.ChunkBytes, chunk.Span);
            }

            return true;
        }
        finally
        {
            while (requested.TryDequeue(out Task<Lease<byte>?>? pending))
            {
                _ = pending.ContinueWith(
                    static reply =>
                    {
                        if (reply.IsCompletedSuccessfully)
                        {
                            reply.Result?.Dispose();
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    private void NoteHeld(int held)
    {
        int most = Volatile.Read(ref _mostChunksHeld);
        while (held > most && Interlocked.CompareExchange(ref _mostChunksHeld, held, most) is int seen && seen != most)
        {
            most = seen;
        }
    }
}
