using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Osipy.MappedCache.Peers;

/// <summary>The entry id of the tier's chunk keys (RedisKeys.EntryId, which is internal; docs/SCALE-OUT.md gives the keys).</summary>
internal static class ChunkKeys
{
    public static string EntryId(string resultType, string key)
    {
        int typeBytes = Encoding.UTF8.GetByteCount(resultType);
        var encoded = new byte[4 + typeBytes + Encoding.UTF8.GetByteCount(key)];
        BinaryPrimitives.WriteInt32LittleEndian(encoded, typeBytes);
        Encoding.UTF8.GetBytes(resultType, encoded.AsSpan(4));
        Encoding.UTF8.GetBytes(key, encoded.AsSpan(4 + typeBytes));
        return Convert.ToHexStringLower(XxHash128.Hash(encoded));
    }
}
