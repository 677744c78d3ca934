using Microsoft.Extensions.Logging;
using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// A zero-copy view of the array stored under (<paramref name="resultType"/>, <paramref name="key"/>),
    /// by this session or any other; null on a miss (absent, TRANSIENT, expired, or a corrupt file,
    /// which is quarantined). Costs the same whatever the array's size: nothing is read until used.
    /// </summary>
    /// <returns>A lease the caller must dispose, or null.</returns>
    /// <exception cref="InvalidCastException">The entry holds another element type; the message names both.</exception>
    /// <exception cref="InvalidOperationException">The entry is a bundle (use <see cref="GetBundle"/>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    /// <exception cref="IOException">The file exists but cannot be opened or mapped.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public MappedArray<T>? Get<T>(string resultType, string key)
        where T : unmanaged => GetCore<T>(resultType, key, countHit: true);

    private MappedArray<T>? GetCore<T>(string resultType, string key, bool countHit)
        where T : unmanaged
    {
        DType requested = DTypes.FromType(typeof(T));
        lock (_gate)
        {
            if (AcquireSingleArray(resultType, key) is not { } state)
            {
                return null;
            }

            ArrayRecord array = state.MappedArrays[0];
            if (array.DType != requested)
            {
                throw MappedArray.ElementTypeMismatch(state.Entry, string.Empty, DTypes.ClrType(array.DType), typeof(T));
            }

            var lease = new MappingLease(state.Mapping!);
            if (countHit)
            {
                _counters.Hits++;
            }

            return new MappedArray<T>(lease, state.Entry, array);
        }
    }

    /// <summary>Zero-copy views of the named arrays of a dictionary put; null on a miss.</summary>
    /// <returns>A lease on all arrays that the caller must dispose, or null.</returns>
    /// <exception cref="InvalidOperationException">The entry is a single array (use <see cref="Get{T}"/>).</exception>
    /// <exception cref="IOException">The file exists but cannot be opened or mapped.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public MappedBundle? GetBundle(string resultType, string key)
    {
        lock (_gate)
        {
            EntryState? state = Acquire(resultType, key, SegmentKind.Bundle);
            if (state is null)
            {
                return null;
            }

            if (state.Record.Kind != SegmentKind.Bundle)
            {
                throw new InvalidOperationException($"Entry '{key}' of result type '{resultType}' is a single array; use Get<T>.");
            }


            _counters.Hits++;
            return new MappedBundle(state.Mapping!, state.Entry, state.MappedArrays);
        }
    }

    /// <summary>What is known about an entry, without mapping or reading its data; null if absent or expired.</summary>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public CacheEntry? GetEntry(string resultType, string key)
    {
        CheckKey(resultType, key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (GetPolicy(resultType) == RetentionPolicy.Transient)
            {
                return null;
            }

            var entryKey = new EntryKey(resultType, key);
            if (FindLive(entryKey) is { } state)
            {
                return state.Entry;
            }

            using OpenedSegment? opened = OpenAnyKindFromDisk(entryKey, SegmentKind.SingleArray);
            return opened is null ? null : CacheEntries.FromRecord(opened.Record);
        }
    }

    /// <summary>Whether a get would hit. Never maps or reads the payload.</summary>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public bool Has(string resultType, string key) => GetEntry(resultType, key) is not null;

    /// <summary><see cref="Acquire"/> for a get of one array: a bundle there is the caller's mistake. Call under the gate.</summary>
    /// <exception cref="InvalidOperationException">The entry is a bundle.</exception>
    private EntryState? AcquireSingleArray(string resultType, string key)
    {
        EntryState? state = Acquire(resultType, key, SegmentKind.SingleArray);
        if (state is not null && state.Record.Kind == SegmentKind.Bundle)
        {
            throw new InvalidOperationException($"Entry '{key}' of result type '{resultType}' is a bundle of named arrays; use GetBundle.");
        }

        return state;
    }

    /// <summary>The held, mapped entry for a get, loading it from disk if needed; counts a miss when there is none.</summary>
    private EntryState? Acquire(string resultType, string key, SegmentKind preferred)
    {
        CheckKey(resultType, key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (GetPolicy(resultType) == RetentionPolicy.Transient)
        {
            _counters.Misses++;
            return null;
        }

        var entryKey = new EntryKey(resultType, key);
        EntryState? state = FindLive(entryKey);
        if (state is { Mapping: null })
        {
            // A CACHED entry this session wrote and has not read yet. If its file has vanished or
            // been replaced by another process, the entry is dropped and the disk decides below.
            using OpenedSegment? owned = OpenOwned(state);
            if (owned is null)
            {
                state = null;
            }
            else
            {
                _table.SetMapping(state, SegmentMapping.MapPrivate(owned.File, owned.Length, owned.Path, Config.Prefault));
            }
        }

        if (state is null)
        {
            using OpenedSegment? opened = OpenAnyKindFromDisk(entryKey, preferred);
            state = opened is null ? null : MapFromDisk(entryKey, opened);
            if (state is null)
            {
                _counters.Misses++;
                return null;
            }
        }

        _table.Touch(state);
        EvictOverBudget(keep: state);
        return state;
    }

    /// <summary>
    /// Maps a validated segment (decompressing a compressed one into a private raw copy), checks
    /// its payload if <see cref="CacheConfig.VerifyOnFirstMap"/> asks, and adds it to the table.
    /// </summary>
    /// <returns>The new entry, or null when the payload is corrupt (quarantined and counted).</returns>
    private EntryState? MapFromDisk(EntryKey entryKey, OpenedSegment opened)
    {
        SegmentRecord record = opened.Record;
        SegmentMapping mapping;
        IReadOnlyList<ArrayRecord> layout = record.Arrays;
        try
        {
            if (record.Kind == SegmentKind.Compressed)
            {
                (mapping, layout) = Decompress(opened);
            }
            else
            {
                mapping = SegmentMapping.MapPrivate(opened.File, opened.Length, opened.Path, Config.Prefault);
            }
        }
        catch (CorruptSegmentException ex)
        {
            SetAside(opened.Path, ex.Reason);
            return null;
        }

        if (Config.VerifyOnFirstMap && FirstBadArray(mapping, record, layout) is { } bad)
        {
            mapping.Dispose();
            SetAside(opened.Path, $"payload checksum mismatch in array {bad}");
            return null;
        }

        var state = new EntryState(entryKey, opened.Path, record, CacheEntries.FromRecord(record),
            ownedCached: record.SessionId == _sessionId && record.Policy == RetentionPolicy.Cached, layout);
        _table.Add(state);
        _table.SetMapping(state, mapping);
        return state;
    }

    /// <summary>Tries the preferred kind of file for a key first, then the others.</summary>
    private OpenedSegment? OpenAnyKindFromDisk(EntryKey entryKey, SegmentKind preferred)
    {
        if (OpenFromDisk(entryKey, preferred) is { } opened)
        {
            return opened;
        }

        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            if (kind != preferred && OpenFromDisk(entryKey, kind) is { } other)
            {
                return other;
            }
        }

        return null;
    }

    /// <summary>The table's entry for a key, unless it has expired (then it is removed).</summary>
    private EntryState? FindLive(EntryKey entryKey)
    {
        EntryState? state = _table.Find(entryKey);
        if (state is not null && IsExpired(state.Entry.CreatedAt))
        {
            _table.Remove(entryKey);
            Release(state, deleteOwnedFile: true);
            SegmentStore.Delete(state.Path);
            CountExpired(state.Entry);
            return null;
        }

        return state;
    }

    /// <summary>
    /// Opens and validates the segment of a key from disk. A corrupt file is quarantined and an
    /// expired one deleted; both return null, as does a missing file.
    /// </summary>
    private OpenedSegment? OpenFromDisk(EntryKey entryKey, SegmentKind kind)
    {
        string path = StoreFor(GetPolicy(entryKey.ResultType)).SegmentPath(entryKey.ResultType, entryKey.Key, kind);
        OpenedSegment? opened = OpenValidated(path, entryKey);
        if (opened is not null && IsExpired(DateTimeOffset.FromUnixTimeMilliseconds(opened.Record.CreatedUnixMilliseconds)))
        {
            opened.Dispose();
            SegmentStore.Delete(path);
            CountExpired(CacheEntries.FromRecord(opened.Record));
            return null;
        }

        return opened;
    }

    /// <summary>Reopens a CACHED segment this session wrote; if it has vanished or changed, the entry leaves the table.</summary>
    private OpenedSegment? OpenOwned(EntryState state)
    {
        OpenedSegment? opened = OpenValidated(state.Path, state.Key);
        if (opened is null || !opened.Record.IsSameWriteAs(state.Record))
        {
            opened?.Dispose();
            _table.Remove(state.Key);
            return null;
        }

        return opened;
    }

    private OpenedSegment? OpenValidated(string path, EntryKey expected)
    {
        OpenedSegment? opened = null;
        try
        {
            opened = SegmentReader.TryOpen(path);
            if (opened is not null && (opened.Record.Key != expected.Key || opened.Record.ResultType != expected.ResultType))
            {
                throw new CorruptSegmentException(path, "its record names another key or result type");
            }

            return opened;
        }
        catch (CorruptSegmentException ex) when (ex.FromNewerVersion)
        {
            Log.NewerSegmentSkipped(_logger, path, ex.Reason);
            return null;
        }
        catch (CorruptSegmentException ex)
        {
            opened?.Dispose();
            SetAside(path, ex.Reason);
            return null;
        }
    }

    /// <summary>Quarantines a corrupt file, counts and logs it.</summary>
    private void SetAside(string path, string reason)
    {
        _counters.CorruptSegments++;
        Log.SegmentQuarantined(_logger, path, reason, QuarantineStoreOf(path).Quarantine(path));
    }

    private SegmentStore QuarantineStoreOf(string path) =>
        path.StartsWith(_cachedStore.Root + "/", StringComparison.Ordinal) ? _cachedStore : _store;

    private bool IsExpired(DateTimeOffset createdAt) =>
        Config.MaxAgeSeconds > 0 && (_time.GetUtcNow() - createdAt).TotalSeconds > Config.MaxAgeSeconds;

    private void CountExpired(CacheEntry entry)
    {
        _counters.Expirations++;
        Log.Expired(_logger, entry.Key, entry.ResultType, entry.CreatedAt);
    }
}
