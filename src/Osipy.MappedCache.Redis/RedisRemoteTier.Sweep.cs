using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The orphan sweep: removes what no manifest will ever name. The commit protocol leaves no such
/// keys (replaced chunks go through the garbage list), so this is for what came before it: chunks
/// of an older version of this tier, whose deletion a killed writer never finished, and the
/// previous format's manifests and type sets (keys without the <c>{prefix}</c> hash tag), which
/// this version never reads.
/// </summary>
public sealed partial class RedisRemoteTier
{
    /// <summary>
    /// Scans every master for this prefix's keys and deletes chunk keys that have no time to live
    /// and are not part of the upload their entry's committed manifest names, and records of the
    /// previous layout. Safe while nodes work: a chunk of an upload in progress still has its time
    /// to live, and a committed one is named by its manifest. Chunks whose manifest does not parse
    /// or authenticate are left alone.
    /// </summary>
    /// <returns>The number of keys deleted.</returns>
    public long SweepOrphans()
    {
        IDatabase control = Control;
        long deleted = 0;
        foreach (IServer server in _control.Value.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var chunksById = new Dictionary<string, List<(RedisKey Key, string Version)>>(StringComparer.Ordinal);
            foreach (RedisKey key in server.Keys(pattern: _keys.ChunkPattern, pageSize: 1000))
            {
                string[] parts = key.ToString().Split(':');
                if (parts.Length >= 5)
                {
                    string id = parts[^3];
                    if (!chunksById.TryGetValue(id, out List<(RedisKey, string)>? chunks))
                    {
                        chunksById[id] = chunks = [];
                    }

                    chunks.Add((key, parts[^2]));
                }
            }

            foreach ((string id, List<(RedisKey Key, string Version)> chunks) in chunksById)
            {
                RedisValue raw = control.StringGet(_keys.Manifest(id));
                RemoteManifest? manifest = Decode(raw, resultType: null, key: null);
                if (!raw.IsNull && manifest is null)
                {
                    continue; // unreadable: not ours to judge
                }

                foreach ((RedisKey chunk, string version) in chunks)
                {
                    if ((manifest is null || manifest.Removed || manifest.Version != version)
                        && Bulk.KeyTimeToLive(chunk) is null && Bulk.KeyExists(chunk) && Bulk.KeyDelete(chunk))
                    {
                        deleted++;
                    }
                }
            }

            // The previous layout: "<prefix>:m:<id>", "<prefix>:t:<type id>", "<prefix>:types" (no hash tag).
            foreach (string pattern in _keys.PreviousLayoutPatterns)
            {
                foreach (RedisKey old in server.Keys(pattern: pattern, pageSize: 1000))
                {
                    if (control.KeyDelete(old))
                    {
                        deleted++;
                    }
                }
            }
        }

        return deleted;
    }
}
