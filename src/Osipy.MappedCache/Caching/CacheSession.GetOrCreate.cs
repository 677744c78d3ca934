using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// GetOrCreate: the entry if any session, process or node has it; otherwise exactly one caller
/// computes it. Within a node the single flight is the key's node lock (a flock'ed file, so it
/// spans processes); across nodes it is the remote tier's lease, renewed while the fill runs and
/// lapsing if its holder dies, so a waiting node takes over.
/// </summary>
internal sealed partial class CacheSession
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(1);

    public MappedArray<T> GetOrCreate<T>(EntryKey key, Func<SegmentDraft> draft, Action<MappedArrayWriter<T>> fill)
        where T : unmanaged
    {
        if (IsFillingHere(key))
        {
            // Waiting would never end: the node lock and the cluster's lease are this fill's own.
            throw new InvalidOperationException(
                $"GetOrCreate of '{key.Key}' ({key.ResultType}) was called from inside its own fill; a fill must not ask for the entry it is computing.");
        }

        RetentionPolicy policy = _settings.PolicyOf(key.ResultType);
        if (policy == RetentionPolicy.Transient)
        {
            return Fill(key, draft, fill); // nothing is kept, so there is nothing to share
        }

        if (GetArray(key, typeof(T)) is MappedArray<T> hit)
        {
            return hit;
        }


        // Lock order as on every path: the key's single flight (re-entered by the gets below, on
        // this thread), then its node lock. A get of the key from another thread of this session
        // waits on the flight; taking the node lock first would deadlock with a get fetching remotely.
        using KeyedGate<EntryKey>.Holder flight = _flights.Enter(key);
        using KeyLocks.HeldKey node = _locks.AcquireKey(Locate(key, policy));
        for (TimeSpan poll = FirstPoll; ; poll = Min(poll * 2, LongestPoll))
        {
            // Another process of this node, or another node, may have made it meanwhile.
            if (GetArray(key, typeof(T), holdingNodeLock: true) is MappedArray<T> made)
            {
                return made;
            }

            if (policy != RetentionPolicy.Persistent || Remote is not { } remote)
            {
                return Fill(key, draft, fill);
            }

            if (!_remote!.Health.ShouldTry)
            {
                return Fill(key, draft, fill); // backing off after a failure: compute here
            }

            IDisposable? lease;
            try
            {
                // This process holds the node's lock of the key, so a lease held under this node's
                // name is a dead process's: it is taken over at once.
                lease = remote.TryLease(key.ResultType, key.Key, _remote.Files.NodeId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RemoteFailed("lease", key, ex);
                return Fill(key, draft, fill); // the cluster is out of reach: compute here
            }

            if (lease is not null)
            {
                using (lease)
                {
                    // Held: but the holder before us may have finished just now.
                    return GetArray(key, typeof(T), holdingNodeLock: true) as MappedArray<T> ?? Fill(key, draft, fill);
                }
            }

            Thread.Sleep(poll); // another node is computing it: poll for its result, or for its lease to lapse
        }
    }

    /// <summary>The keys whose fills run on this logical thread (and the tasks it starts), to refuse a fill's GetOrCreate of its own key.</summary>
    /// <summary>Whether <paramref name="key"/> is being filled by this logical thread: a get of it from inside its fill is a miss, not a wait for itself.</summary>
    private static bool IsFillingHere(EntryKey key) => FillsInProgress.Value?.Contains(key) == true;

    private static readonly AsyncLocal<System.Collections.Immutable.ImmutableHashSet<EntryKey>?> FillsInProgress = new();

    private MappedArray<T> Fill<T>(EntryKey key, Func<SegmentDraft> draft, Action<MappedArrayWriter<T>> fill)
        where T : unmanaged
    {
        using MappedArrayWriter<T> writer = Create<T>(draft());
        System.Collections.Immutable.ImmutableHashSet<EntryKey>? outer = FillsInProgress.Value;
        FillsInProgress.Value = (outer ?? []).Add(key);
        try
        {
            fill(writer);
        }
        finally
        {
            FillsInProgress.Value = outer;
        }

        return writer.Commit(); // a PERSISTENT commit uploads before the lease is released
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
