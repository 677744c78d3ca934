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
        where T : unmanaged =>
        SingleFlight(
            key,
            holdingNodeLock => GetArray(key, typeof(T), holdingNodeLock) as MappedArray<T>,
            () => Fill(key, draft, fill))!;

    /// <summary>
    /// The entry (a <see cref="MappedArray"/> or a <see cref="MappedBundle"/>) if anyone has it;
    /// otherwise exactly one caller runs <paramref name="compute"/>, which stores the entry under
    /// <paramref name="key"/> with an ordinary put or create, and every caller gets what it stored.
    /// Null for a TRANSIENT type, after <paramref name="compute"/> ran (nothing is kept).
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="compute"/> returned without storing the entry.</exception>
    public IDisposable? GetOrCompute(EntryKey key, Action compute) =>
        SingleFlight(
            key,
            holdingNodeLock => GetAny(key, holdingNodeLock),
            () =>
            {
                RunAsFillOf(key, compute);
                if (_settings.PolicyOf(key.ResultType) == RetentionPolicy.Transient)
                {
                    return null;
                }

                return GetAny(key, holdingNodeLock: true) ?? throw new InvalidOperationException(
                    $"The computation of '{key.Key}' ({key.ResultType}) returned without storing an entry under that key.");
            });

    /// <summary>
    /// The single flight of GetOrCreate and GetOrCompute: <paramref name="find"/> if anyone has the
    /// entry; else <paramref name="make"/> runs once per key across the threads and processes of
    /// the node (the key's flight, then its node lock) and across nodes (the cluster's lease).
    /// </summary>
    private TResult? SingleFlight<TResult>(EntryKey key, Func<bool, TResult?> find, Func<TResult?> make)
        where TResult : class
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
            return make(); // nothing is kept, so there is nothing to share
        }

        if (find(false) is { } hit)
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
            if (find(true) is { } made)
            {
                return made;
            }

            if (policy != RetentionPolicy.Persistent || Remote is not { } remote)
            {
                return make();
            }

            if (!_remote!.Health.ShouldTry)
            {
                return make(); // backing off after a failure: compute here
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
                return make(); // the cluster is out of reach: compute here
            }

            if (lease is not null)
            {
                using (lease)
                {
                    // Held: but the holder before us may have finished just now.
                    return find(true) ?? make();
                }
            }

            Thread.Sleep(poll); // another node is computing it: poll for its result, or for its lease to lapse
        }
    }

    /// <summary>Whether <paramref name="key"/> is being filled by this logical thread: a get of it from inside its fill is a miss, not a wait for itself.</summary>
    private static bool IsFillingHere(EntryKey key) => FillsInProgress.Value?.Contains(key) == true;

    private static readonly AsyncLocal<System.Collections.Immutable.ImmutableHashSet<EntryKey>?> FillsInProgress = new();

    private MappedArray<T> Fill<T>(EntryKey key, Func<SegmentDraft> draft, Action<MappedArrayWriter<T>> fill)
        where T : unmanaged
    {
        using MappedArrayWriter<T> writer = Create<T>(draft());
        RunAsFillOf(key, () => fill(writer));
        return writer.Commit(); // a PERSISTENT commit uploads before the lease is released
    }

    /// <summary>Runs <paramref name="work"/> marked as the fill of <paramref name="key"/>, so that a GetOrCreate of the key from inside it fails instead of waiting for itself.</summary>
    private static void RunAsFillOf(EntryKey key, Action work)
    {
        System.Collections.Immutable.ImmutableHashSet<EntryKey>? outer = FillsInProgress.Value;
        FillsInProgress.Value = (outer ?? []).Add(key);
        try
        {
            work();
        }
        finally
        {
            FillsInProgress.Value = outer;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
