using System.Globalization;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// Commits of removals, and the deletion of replaced chunks. A removal leaves a tombstone (the
/// entry's next generation, marked removed) in the manifest's place, so an upload that began
/// before it cannot commit over it and a node that was away learns of it from the record itself.
/// Chunks of a replaced or removed upload are queued in the garbage list atomically with the
/// commit, deleted, then dequeued: a writer killed in between leaves work that the next node to
/// read the change log finishes, never a chunk without a manifest or an expiry.
/// </summary>
public sealed partial class RedisRemoteTier
{
    private const int CommitAttempts = 16;

    /// <inheritdoc />
    public void Remove(string resultType, string key) => RemoveEntry(RedisKeys.EntryId(resultType, key), resultType, key);

    /// <inheritdoc />
    public void Clear(string? resultType)
    {
        IDatabase control = Control;
        IEnumerable<RedisValue> typeIds = resultType is null ? control.SetMembers(_keys.Types) : [RedisKeys.TypeId(resultType)];
        foreach (RedisValue typeId in typeIds)
        {
            RedisKey typeSet = _keys.Type(typeId.ToString());
            foreach (RedisValue id in control.SetMembers(typeSet))
            {
                RemoveEntry(id.ToString(), resultType, key: null); // the record names its key
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The tag's set names the entries whose uploads carried it; each is removed only if its
    /// committed record still carries the tag (checked in the compare-and-set loop), and leaves the
    /// set either way. An upload committing with the tag while this runs may stay: run it again.
    /// </remarks>
    public IReadOnlyList<RemoteKey> RemoveTagged(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        IDatabase control = Control;
        RedisKey tagSet = _keys.Tag(tag);
        var removed = new List<RemoteKey>();
        foreach (RedisValue id in control.SetMembers(tagSet))
        {
            if (RemoveEntry(id.ToString(), resultType: null, key: null, onlyIf: manifest => manifest.Tags?.Contains(tag, StringComparer.Ordinal) == true) is { } gone)
            {
                removed.Add(gone);
            }

            control.SetRemove(tagSet, id, CommandFlags.FireAndForget);
        }

        return removed;
    }

    /// <summary>Tombstones one entry (compare-and-set, retried while writers race it) and deletes the chunks it replaced.</summary>
    /// <param name="id">The entry's id.</param>
    /// <param name="resultType">Its type where known (a record naming another is not this entry's).</param>
    /// <param name="key">Its key where known.</param>
    /// <param name="onlyIf">Removes only a committed upload this accepts (a tag removal's check); null removes whatever is there.</param>
    /// <returns>The entry removed; null when there was nothing to remove, or <paramref name="onlyIf"/> refused it.</returns>
    private RemoteKey? RemoveEntry(string id, string? resultType, string? key, Func<RemoteManifest, bool>? onlyIf = null)
    {
        IDatabase control = Control;
        RedisKey manifestKey = _keys.Manifest(id);
        for (int attempt = 0; attempt < CommitAttempts; attempt++)
        {
            RedisValue raw = control.StringGet(manifestKey);
            RemoteManifest? previous = Decode(raw, resultType, key);
            string? type = previous?.ResultType ?? resultType;
            string? name = previous?.Key ?? key;
            if (type is null || name is null)
            {
                // Clear found an id whose record is gone or unreadable: nothing names the entry.
                if (resultType is not null)
                {
                    control.SetRemove(_keys.Type(RedisKeys.TypeId(resultType)), id, CommandFlags.FireAndForget);
                }

                return null;
            }

            if (previous is { Removed: true } || (onlyIf is not null && (previous is null || !onlyIf(previous))))
            {
                return null; // already removed (nodes learned of it then), or not the entry asked for
            }

            RemoteManifest tombstone = RemoteManifest.Tombstone(type, name, (previous?.Generation ?? 0) + 1);
            if (Commit(id, raw, tombstone.Encode(_secret), type, inTypeSet: false, new RemoteChange(type, name, Stamp: null), previous) != 0)
            {
                CollectReplaced(id, previous);
                Announce(new RemoteChange(type, name, Stamp: null));
                return new RemoteKey(type, name);
            }
        }

        throw new InvalidOperationException($"The remote entry '{key}' ({resultType}) kept changing during {CommitAttempts} attempts to remove it.");
    }

    /// <summary>Runs <see cref="RedisScripts.CommitChange"/>; returns its log sequence number (-1 without a log entry) or 0 when it lost the compare-and-set.</summary>
    private long Commit(string id, RedisValue expected, RedisValue value, string resultType, bool inTypeSet, RemoteChange? change, RemoteManifest? replaced, IReadOnlyList<string>? tags = null)
    {
        RedisKey[] keys = [_keys.Manifest(id), _keys.Log, _keys.LogCounter, _keys.Type(RedisKeys.TypeId(resultType)), _keys.Types, _keys.Garbage, .. (tags ?? []).Select(_keys.Tag)];
        RedisValue[] args =
        [
            expected.IsNull ? RedisValue.EmptyString : expected,
            value,
            RedisKeys.TypeId(resultType),
            id,
            inTypeSet ? "1" : "0",
            change is null ? RedisValue.EmptyString : (RedisValue)RemoteChangeMessage.Encode(change),
            _options.ChangeLogLength,
            GarbageEntry(id, replaced),
        ];
        return (long)Control.ScriptEvaluate(RedisScripts.CommitChange, keys, args);
    }

    /// <summary>The garbage-list entry of a replaced upload ("id:version:count"), or empty when it had no chunks.</summary>
    private static string GarbageEntry(string id, RemoteManifest? replaced) =>
        replaced is { Removed: false } upload ? string.Create(CultureInfo.InvariantCulture, $"{id}:{upload.Version}:{upload.ChunkCount}") : string.Empty;

    /// <summary>Deletes the chunks of an upload that a commit replaced, then takes it off the garbage list.</summary>
    private void CollectReplaced(string id, RemoteManifest? replaced)
    {
        string entry = GarbageEntry(id, replaced);
        if (entry.Length > 0)
        {
            CollectGarbage(entry);
        }
    }

    /// <summary>Deletes the chunks a garbage entry names (waiting for every DEL), then removes the entry; an entry that does not parse is only removed.</summary>
    private void CollectGarbage(string entry)
    {
        string[] parts = entry.Split(':');
        if (parts.Length == 3 && parts[0].Length == 32 && parts[1].Length is > 0 and <= 64
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count <= 1_000_000)
        {
            DeleteChunks(parts[0], parts[1], count);
        }

        Control.ListRemove(_keys.Garbage, entry, count: 1, CommandFlags.FireAndForget);
    }

    /// <summary>Finishes deletions that killed writers left (at most 256 per call, so a check stays short).</summary>
    private void CollectLeftGarbage()
    {
        foreach (RedisValue entry in Control.ListRange(_keys.Garbage, 0, 255))
        {
            CollectGarbage(entry.ToString());
        }
    }

    /// <summary>Removes an upload's chunks; <paramref name="wait"/> false pipelines the DELs without waiting (for chunks that expire anyway).</summary>
    private void DeleteChunks(string id, string version, int count, bool wait = true)
    {
        IDatabase bulk = Bulk;
        if (wait)
        {
            RunWindowed(count, index => bulk.KeyDeleteAsync(_keys.Chunk(id, version, index)));
            return;
        }

        try
        {
            for (int index = 0; index < count; index++)
            {
                bulk.KeyDelete(_keys.Chunk(id, version, index), CommandFlags.FireAndForget);
            }
        }
        catch (Exception ex) when (IsCallFailure(ex))
        {
            // Unreachable: these chunks still carry their expiry.
        }
    }
}
