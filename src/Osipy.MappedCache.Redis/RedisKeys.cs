using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// Where an entry lives in the cluster. The control keys share one hash slot (the hash tag
/// <c>{prefix}</c>), so a manifest's commit, its type set and its change-log entry are one atomic
/// script; chunks have no hash tag, so one array's chunks spread over every shard:
/// <code>
/// {prefix}:m:&lt;id&gt;                   the manifest (or the tombstone of a removed entry), committed last
/// {prefix}:t:&lt;type id&gt;              the set of entry ids of a result type (for Clear)
/// {prefix}:types                     the set of result types' ids
/// {prefix}:log                       the change log: a sorted set of "n:change" scored by n, one per committed change, trimmed to ChangeLogLength
/// {prefix}:log:n                     the change log's sequence counter
/// {prefix}:gc                        chunk sets replaced or removed and not yet deleted (drained by any node)
/// {prefix}:g:&lt;tag id&gt;               the set of entry ids whose upload carried a tag (for RemoveTagged; may hold stale ids)
/// prefix:c:&lt;id&gt;:&lt;version&gt;:&lt;i&gt;     chunk i of one upload
/// prefix:l:&lt;id&gt;                     a GetOrCreate lease: "node:token", SET NX PX, renewed by its holder
/// prefix:u:&lt;id&gt;:&lt;fill&gt;:&lt;i&gt;        block i of a fill in blocks not yet committed, expiring (RedisRemoteTier.Unfinished)
/// prefix:changes                     the pub/sub channel that wakes subscribers after a change
/// </code>
/// Ids are XxHash128 digests of an unambiguous encoding of the result type and the key (the
/// type's UTF-8 length, then both): no two (type, key) pairs share an encoding. The manifest
/// names both in full, so a digest collision is a miss, never another entry's data.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    private readonly string _control = "{" + prefix + "}";

    public RedisKey Manifest(string id) => $"{_control}:m:{id}";

    public RedisKey Chunk(string id, string version, int index) => $"{prefix}:c:{id}:{version}:{index}";

    public RedisKey Lease(string id) => $"{prefix}:l:{id}";

    public RedisKey Unfinished(string id, string fill, int index) => $"{prefix}:u:{id}:{fill}:{index}";

    public RedisKey Type(string typeId) => $"{_control}:t:{typeId}";

    public RedisKey Types => $"{_control}:types";

    public RedisKey Log => $"{_control}:log";

    public RedisKey LogCounter => $"{_control}:log:n";

    public RedisKey Garbage => $"{_control}:gc";

    public RedisKey Tag(string tag) => $"{_control}:g:{Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(tag)))}";

    /// <summary>Pattern of every chunk key of this prefix, for the orphan sweep.</summary>
    public string ChunkPattern => $"{prefix}:c:*";

    /// <summary>Patterns of the previous layout's records (manifests and type sets without the hash tag), which the sweep removes.</summary>
    public string[] PreviousLayoutPatterns => [$"{prefix}:m:*", $"{prefix}:t:*", $"{prefix}:types"];

    /// <summary>The pub/sub channel that wakes subscribers after a committed change.</summary>
    public string Changes => $"{prefix}:changes";

    public static string EntryId(string resultType, string key)
    {
        int typeBytes = Encoding.UTF8.GetByteCount(resultType);
        var encoded = new byte[4 + typeBytes + Encoding.UTF8.GetByteCount(key)];
        BinaryPrimitives.WriteInt32LittleEndian(encoded, typeBytes);
        Encoding.UTF8.GetBytes(resultType, encoded.AsSpan(4));
        Encoding.UTF8.GetBytes(key, encoded.AsSpan(4 + typeBytes));
        return Convert.ToHexStringLower(XxHash128.Hash(encoded));
    }

    public static string TypeId(string resultType) =>
        Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(resultType)));
}
