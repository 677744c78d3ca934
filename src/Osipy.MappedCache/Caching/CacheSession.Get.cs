using System.Diagnostics;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>Gets: a hit takes a lease without the table's lock (reference counts only); everything slow runs outside it, once per key.</summary>
internal sealed partial class CacheSession
{
    /// <summary>A single array, of whatever element type; null on a miss.</summary>
    /// <exception cref="InvalidOperationException">The entry is a bundle.</exception>
    public MappedArray? GetArray(EntryKey key, Type? requested, bool holdingNodeLock = false)
    {
        if (Acquire(key, SegmentKind.SingleArray, holdingNodeLock) is not (EntryState state, SegmentMapping leased))
        {
            return null;
        }

        try
        {
            ArrayRecord array = SingleArrayOf(state, requested);
            MappedArray result = MappedArray.Create(leased, state.Entry, array);
            _counters.Hits.Increment();
            CacheMetrics.Hit(key.ResultType);
            return result;
        }
        catch
        {
            leased.ReleaseLease();
            throw;
        }
    }

    /// <summary>
    /// Copies <paramref name="destination"/>'s length of elements of a single array, from element
    /// <paramref name="start"/>, under a lease held only for the copy; false on a miss. A hit makes
    /// no object.
    /// </summary>
    /// <exception cref="InvalidOperationException">The entry is a bundle.</exception>
    /// <exception cref="InvalidCastException">The entry holds another element type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the array.</exception>
    public bool TryCopyArray<T>(EntryKey key, long start, Span<T> destination)
        where T : unmanaged
    {
        if (Acquire(key, SegmentKind.SingleArray) is not (EntryState state, SegmentMapping leased))
        {
            return false;
        }

        try
        {
            ArrayRecord array = SingleArrayOf(state, typeof(T));
            ArgumentOutOfRangeException.ThrowIfNegative(start);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(start, array.ElementCount - destination.Length);
            leased.SpanAt<T>(array.PayloadOffset + (start * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()), destination.Length).CopyTo(destination);
            _counters.Hits.Increment();
            CacheMetrics.Hit(key.ResultType);
            return true;
        }
        finally
        {
            leased.ReleaseLease();
        }
    }

    /// <summary>The single array of a held entry, checked to be one and of the <paramref name="requested"/> element type (any, if null).</summary>
    private static ArrayRecord SingleArrayOf(EntryState state, Type? requested)
    {
        if (state.Record.Kind == SegmentKind.Bundle)
        {
            throw new InvalidOperationException($"Entry '{state.Key.Key}' of result type '{state.Key.ResultType}' is a bundle of named arrays; use GetBundle.");
        }

        ArrayRecord array = state.MappedArrays[0];
        Type stored = DTypes.ClrType(array.DType);
        if (requested is not null && stored != requested)
        {
            throw MappedArray.ElementTypeMismatch(state.Entry, string.Empty, stored, requested);
        }

        return array;
    }

    /// <summary>The named arrays of a bundle; null on a miss.</summary>
    /// <exception cref="InvalidOperationException">The entry is a single array.</exception>
    public MappedBundle? GetBundle(EntryKey key)
    {
        if (Acquire(key, SegmentKind.Bundle) is not (EntryState state, SegmentMapping leased))
        {
            return null;
        }

        try
        {
            if (state.Record.Kind != SegmentKind.Bundle)
            {
                throw new InvalidOperationException($"Entry '{key.Key}' of result type '{key.ResultType}' is a single array; use Get<T>.");
            }

            // The bundle takes one lease per array; this one only kept the mapping alive until then.
            var bundle = new MappedBundle(leased, state.Entry, state.MappedArrays);
            _counters.Hits.Increment();
            CacheMetrics.Hit(key.ResultType);
            return bundle;
        }
        finally
        {
            leased.ReleaseLease();
        }
    }

    /// <summary>The entry, whichever kind it is: a <see cref="MappedArray"/> or a <see cref="MappedBundle"/>; null on a miss.</summary>
    public IDisposable? GetAny(EntryKey key, bool holdingNodeLock = false)
    {
        if (Acquire(key, SegmentKind.SingleArray, holdingNodeLock) is not (EntryState state, SegmentMapping leased))
        {
            return null;
        }

        if (state.Record.Kind == SegmentKind.Bundle)
        {
            try
            {
                var bundle = new MappedBundle(leased, state.Entry, state.MappedArrays);
                _counters.Hits.Increment();
                CacheMetrics.Hit(key.ResultType);
                return bundle;
            }
            finally
            {
                leased.ReleaseLease();
            }
        }

        MappedArray array = MappedArray.Create(leased, state.Entry, state.MappedArrays[0]);
        _counters.Hits.Increment();
        CacheMetrics.Hit(key.ResultType);
        return array;
    }

    /// <summary>What is known about an entry without mapping it; null if absent, expired or TRANSIENT.</summary>
    public CacheEntry? GetEntry(EntryKey key)
    {
        RetentionPolicy policy = _settings.PolicyOf(key.ResultType);
        ThrowIfDisposed();
        if (policy == RetentionPolicy.Transient)
        {
            return null;
        }

        bool legacyTried = false;
        while (true)
        {
            Lookup found = _entries.Find(key, takeLease: false);
            switch (found.Outcome)
            {
                case LookupOutcome.Hit or LookupOutcome.Unmapped:
                    return found.State!.Entry;
                case LookupOutcome.Stale when StillCurrent(found.State!):
                    _entries.Confirm(found.State!, found.Generation, takeLease: false);
                    return found.State!.Entry;
                case LookupOutcome.Stale:
                    _entries.Drop(found.State!);
                    continue;
                default:
                    LoadedSegment? loaded = _loader.Load(key, Locate(key, policy), SegmentKind.SingleArray, map: false);
                    if (loaded is null && _legacy is not null && !legacyTried)
                    {
                        // As a get would: osipy's file of the key is stored, then found like any entry.
                        legacyTried = true;
                        using (_flights.Enter(key))
                        {
                            // Another thread may have stored it meanwhile: either way the loop looks again.
                            if (_loader.Load(key, Locate(key, policy), SegmentKind.SingleArray, map: false) is not null || TryImportLegacy(key))
                            {
                                continue;
                            }
                        }
                    }

                    return loaded is null ? null : CacheEntries.FromRecord(loaded.Record);
            }
        }
    }

    /// <summary>
    /// The held, mapped entry for a get and its mapping with a lease reference taken for the caller
    /// (handed to the array it returns, or released), loading it from disk if needed; null on a
    /// miss (counted). The fast path is one look-up without the lock; the slow path holds the key's
    /// single flight, so concurrent first gets of one key load, map or decompress it once.
    /// </summary>
    private (EntryState State, SegmentMapping Leased)? Acquire(EntryKey key, SegmentKind preferred, bool holdingNodeLock = false)
    {
        RetentionPolicy policy = _settings.PolicyOf(key.ResultType);
        if (policy == RetentionPolicy.Transient)
        {
            ThrowIfDisposed();
            Interlocked.Increment(ref _counters.Misses);
            CacheMetrics.Miss(key.ResultType);
            return null;
        }

        Lookup found = _entries.Find(key, takeLease: true);
        if (found.Outcome == LookupOutcome.Hit)
        {
            return (found.State!, found.Leased!);
        }

        long started = Stopwatch.GetTimestamp();
        using KeyedGate<EntryKey>.Holder flight = _flights.Enter(key);
        bool legacyTried = false;
        while (true)
        {
            found = _entries.Find(key, takeLease: true);
            switch (found.Outcome)
            {
                case LookupOutcome.Hit:
                    return (found.State!, found.Leased!);
                case LookupOutcome.Stale when StillCurrent(found.State!):
                    // Taken at once: with no shared counters (a read-only directory) every look-up is stale.
                    if ((_entries.Confirm(found.State!, found.Generation, takeLease: true) ?? MapHeld(found.State!)) is { } confirmed)
                    {
                        return (found.State!, confirmed.HandOver());
                    }

                    continue; // gone meanwhile: the disk decides
                case LookupOutcome.Stale:
                    _entries.Drop(found.State!);
                    continue;
                case LookupOutcome.Unmapped:
                    if (MapHeld(found.State!) is { } attached)
                    {
                        CacheMetrics.FirstGet(key.ResultType, attached.Mapping.Length, started);
                        return (found.State!, attached.HandOver());
                    }

                    continue;
                default:
                    if (LoadAndAdmit(key, policy, preferred) is { } loaded)
                    {
                        CacheMetrics.FirstGet(key.ResultType, loaded.Leased.Length, started);
                        return loaded;
                    }

                    // Not on this node: another node may have published it.
                    if (policy == RetentionPolicy.Persistent && Remote is not null && FetchOnce(key, policy, preferred, holdingNodeLock) is { } fetched)
                    {
                        CacheMetrics.FirstGet(key.ResultType, fetched.Leased.Length, started);
                        return fetched;
                    }

                    // Nowhere in this cache: osipy's own may have it (CacheConfig.LegacyOsipyDir), stored now by a put.
                    if (!legacyTried)
                    {
                        legacyTried = true;
                        if (TryImportLegacy(key))
                        {
                            continue;
                        }
                    }

                    Interlocked.Increment(ref _counters.Misses);
                    CacheMetrics.Miss(key.ResultType);
                    return null;
            }
        }
    }

    /// <summary>
    /// Another session or process changed something in the key's bucket: one statx tells whether the
    /// entry's path still names its file. If so the entry is trusted again up to the generation read
    /// before the statx; if not, it leaves the table and the disk decides.
    /// </summary>
    private static bool StillCurrent(EntryState state) => FileIdentity.OfPath(state.Path) == state.Identity;

    /// <summary>Maps an entry held without a mapping, if its path still names its file; null (and dropped) if not.</summary>
    private MappingLease? MapHeld(EntryState state)
    {
        using OpenedSegment? opened = _loader.OpenValidated(state.Path, state.Key);
        if (opened is null || opened.Identity != state.Identity || !opened.Record.IsSameWriteAs(state.Record))
        {
            _entries.Drop(state);
            return null;
        }

        SegmentMapping mapping = SegmentMapping.MapPrivate(opened.File, opened.Length, opened.Path, _settings.Config.Prefault);
        return _entries.AttachMapping(state, mapping);
    }

    /// <summary>
    /// A remote fetch, once per node: under the key's node lock (unless the caller holds it), so
    /// several processes missing one key download it once; the others find it on disk.
    /// </summary>
    private (EntryState State, SegmentMapping Leased)? FetchOnce(EntryKey key, RetentionPolicy policy, SegmentKind preferred, bool holdingNodeLock)
    {
        if (!holdingNodeLock && IsFillingHere(key))
        {
            return null; // asked from inside its own fill: it does not exist yet, and its node lock is this fill's
        }

        KeyLocation at = Locate(key, policy);
        KeyLocks.HeldKey? node = holdingNodeLock ? null : _locks.AcquireKey(at);
        try
        {
            if (!holdingNodeLock && LoadAndAdmit(key, policy, preferred) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            return FetchRemote(key, at) ? LoadAndAdmit(key, policy, preferred) : null;
        }
        finally
        {
            node?.Dispose();
        }
    }

    private (EntryState State, SegmentMapping Leased)? LoadAndAdmit(EntryKey key, RetentionPolicy policy, SegmentKind preferred)
    {
        KeyLocation at = Locate(key, policy);
        if (_loader.Load(key, at, preferred, map: true) is not { Mapping: { } mapping } loaded)
        {
            return null;
        }

        bool owned = loaded.Record.SessionId == SessionId && loaded.Record.Policy == RetentionPolicy.Cached;
        var state = new EntryState(key, at, loaded.Path, loaded.Identity, loaded.Record, owned, loaded.Layout) { SeenGeneration = loaded.Generation };
        MappingLease lease = _entries.Admit(state, mapping, takeLease: true)!;
        return (state, lease.HandOver());
    }
}
