using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// What a manifest records of each chunk, and how a download checks it. Without a shared secret
/// it is the chunk's XxHash3 (catches damage, not forgery: anyone can compute it). With one it is
/// an HMAC-SHA256 keyed by the secret over the entry id, the upload's version, the chunk's index
/// and its bytes, truncated to 128 bits: a writer without the secret can neither forge a chunk nor
/// move an authentic chunk to another entry, upload or position.
/// </summary>
internal sealed class ChunkDigest(byte[]? secret)
{
    /// <summary>The algorithm's name in the manifest ("xxh3" or "hmac-sha256").</summary>
    public string Algorithm => secret is null ? "xxh3" : "hmac-sha256";

    public string Of(string id, string version, int index, ReadOnlySpan<byte> chunk)
    {
        if (secret is null)
        {
            return XxHash3.HashToUInt64(chunk).ToString("x16", CultureInfo.InvariantCulture);
        }

        using IncrementalHash mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        mac.AppendData(Encoding.UTF8.GetBytes($"{id}:{version}:{index}:"));
        mac.AppendData(chunk);
        Span<byte> digest = stackalloc byte[32];
        mac.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
