using System.Text;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The blocks of fills not yet committed (<see cref="IRemoteTier.SaveUnfinishedBlock"/>): one key per
/// block, <c>prefix:u:&lt;entry id&gt;:&lt;fill&gt;:&lt;index&gt;</c> (no hash tag: blocks spread over the
/// shards), with an expiry, holding one byte L, L ASCII characters of the block's digest, then the
/// block's bytes. The digest is the chunks' (<see cref="ChunkDigest"/>, with the version
/// <c>u-&lt;fill&gt;</c>): an HMAC under the shared secret when there is one, so a block written
/// without it, or moved to another entry, fill or index, fails its check and is computed instead.
/// </summary>
public sealed partial class RedisRemoteTier
{
    /// <summary>Blocks larger than this (the largest chunk allowed) are not stored, so one value never outlasts a call's timeout; their fill resumes only on its node.</summary>
    private const int MaxUnfinishedBlockBytes = 64 * 1024 * 1024;

    /// <inheritdoc />
    public void SaveUnfinishedBlock(string resultType, string key, string fill, int index, ReadOnlySpan<byte> block, TimeSpan expiry)
    {
        if (block.Length > MaxUnfinishedBlockBytes)
        {
            return;
        }

        string id = RedisKeys.EntryId(resultType, key);
        byte[] digest = Encoding.ASCII.GetBytes(_digest.Of(id, "u-" + fill, index, block));
        var value = new byte[1 + digest.Length + block.Length];
        value[0] = (byte)digest.Length;
        digest.CopyTo(value, 1);
        block.CopyTo(value.AsSpan(1 + digest.Length));
        Bulk.StringSet(_keys.Unfinished(id, fill, index), value, expiry);
    }

    /// <inheritdoc />
    public bool LoadUnfinishedBlock(string resultType, string key, string fill, int index, Span<byte> destination)
    {
        string id = RedisKeys.EntryId(resultType, key);
        using Lease<byte>? lease = Bulk.StringGetLease(_keys.Unfinished(id, fill, index));
        if (lease is null || lease.Length < 1)
        {
            return false;
        }

        ReadOnlySpan<byte> value = lease.Span;
        int digestLength = value[0];
        if (value.Length != 1 + digestLength + destination.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = value[(1 + digestLength)..];
        string expected = _digest.Of(id, "u-" + fill, index, bytes);
        if (!Encoding.ASCII.GetBytes(expected).AsSpan().SequenceEqual(value.Slice(1, digestLength)))
        {
            return false;
        }

        bytes.CopyTo(destination);
        return true;
    }

    /// <inheritdoc />
    public void DeleteUnfinishedBlocks(string resultType, string key, string fill, int blocks)
    {
        string id = RedisKeys.EntryId(resultType, key);
        IDatabase bulk = Bulk;
        RunWindowed(blocks, index => bulk.KeyDeleteAsync(_keys.Unfinished(id, fill, index))); // each expires anyway if this fails
    }
}
