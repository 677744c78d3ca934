using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// Where an entry lives in the cluster. Every command touches one key, so nothing spans slots:
/// <code>
/// &lt;prefix&gt;:m:&lt;id&gt;                      the manifest, committed last
/// &lt;prefix&gt;:c:&lt;id&gt;:&lt;version&gt;:&lt;i&gt;       chunk i of one upload (no hash tag: chunks spread over every shard)
/// &lt;prefix&gt;:l:&lt;id&gt;                      a GetOrCreate lease: a random token, SET NX PX, renewed by its holder
/// &lt;prefix&gt;:t:&lt;type id&gt;                 the set of entry ids of a result type (for Clear)
/// &lt;prefix&gt;:types                        the set of result types' ids
/// &lt;prefix&gt;:changes                      the pub/sub channel announcing committed changes
/// </code>
/// Ids are XxHash128 digests of the UTF-8 result type and key; the manifest names them in full.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public RedisKey Manifest(string id) => $"{prefix}:m:{id}";

    public RedisKey Chunk(string id, string version, int index) => $"{prefix}:c:{id}:{version}:{index}";

    public RedisKey Lease(string id) => $"{prefix}:l:{id}";

    public RedisKey Type(string typeId) => $"{prefix}:t:{typeId}";

    public RedisKey Types => $"{prefix}:types";

    /// <summary>The pub/sub channel of committed changes (uploads, removals, clears).</summary>
    public string Changes => $"{prefix}:changes";

    public static string EntryId(string resultType, string key) =>
        Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(resultType + "\0" + key)));

    public static string TypeId(string resultType) =>
        Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(resultType)));
}
