using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The small record committed last for each remote entry: which entry, its write generation (one
/// more than the record it replaced), and either the upload (the segment file's length, its
/// chunking, the upload's version naming its chunk keys, the segment's write stamp and creation
/// time, a digest of every chunk, the entry's tags) or <see cref="Removed"/>: a tombstone, so an invalidated entry
/// never comes back from a late upload or a node that was offline.
/// </summary>
/// <remarks>
/// JSON, read as untrusted input: every number is checked before it sizes anything. With a
/// shared secret the JSON is followed by a newline and the hex HMAC-SHA256 of the JSON under the
/// secret; a record without a valid one is not a manifest.
/// </remarks>
internal sealed record RemoteManifest(
    string ResultType,
    string Key,
    long Generation,
    bool Removed,
    long Length = 0,
    int ChunkBytes = 0,
    string Version = "",
    string Stamp = "",
    long CreatedUnixMs = 0,
    string Algorithm = "",
    string[]? Sums = null,
    string[]? Tags = null)
{
    /// <summary>Bounds on the tags a record may carry (the library's own: 64 tags of 256 UTF-8 bytes).</summary>
    private const int MaxTags = 64;
    private const int MaxTagChars = 256;

    private const int FormatVersion = 3;
    private const int MaxManifestBytes = 64 * 1024 * 1024;

    public int ChunkCount => Sums?.Length ?? 0;

    public static int ChunksFor(long length, int chunkBytes) => checked((int)((length + chunkBytes - 1) / chunkBytes));

    public int ChunkLength(int index) => (int)Math.Min(ChunkBytes, Length - ((long)index * ChunkBytes));

    public static RemoteManifest Tombstone(string resultType, string key, long generation) => new(resultType, key, generation, Removed: true);

    public byte[] Encode(byte[]? secret)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("type", ResultType);
            writer.WriteString("key", Key);
            writer.WriteNumber("gen", Generation);
            if (Removed)
            {
                writer.WriteBoolean("removed", true);
            }
            else
            {
                writer.WriteNumber("length", Length);
                writer.WriteNumber("chunk", ChunkBytes);
                writer.WriteString("version", Version);
                writer.WriteString("stamp", Stamp);
                writer.WriteNumber("created", CreatedUnixMs);
                writer.WriteString("alg", Algorithm);
                writer.WriteStartArray("sums");
                foreach (string sum in Sums ?? [])
                {
                    writer.WriteStringValue(sum);
                }

                writer.WriteEndArray();
                if (Tags is { Length: > 0 })
                {
                    writer.WriteStartArray("tags");
                    foreach (string tag in Tags)
                    {
                        writer.WriteStringValue(tag);
                    }

                    writer.WriteEndArray();
                }
            }

            writer.WriteEndObject();
        }

        if (secret is null)
        {
            return buffer.WrittenSpan.ToArray();
        }

        byte[] mac = HMACSHA256.HashData(secret, buffer.WrittenSpan);
        return [.. buffer.WrittenSpan, (byte)'\n', .. Encoding.ASCII.GetBytes(Convert.ToHexStringLower(mac))];
    }

    /// <summary>
    /// The record in <paramref name="bytes"/>, or null when it is not one this code wrote (with
    /// <paramref name="secret"/>, authenticated) for (<paramref name="resultType"/>, <paramref name="key"/>);
    /// both null accept whatever entry the record names (Clear and the sweep, which know only the id).
    /// </summary>
    public static RemoteManifest? TryDecode(ReadOnlySpan<byte> bytes, string? resultType, string? key, long maxLength, byte[]? secret)
    {
        if (bytes.Length > MaxManifestBytes || Authenticated(bytes, secret) is not { } json)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.GetProperty("v").GetInt32() != FormatVersion)
            {
                return null;
            }

            string type = root.GetProperty("type").GetString() ?? string.Empty;
            string name = root.GetProperty("key").GetString() ?? string.Empty;
            long generation = root.GetProperty("gen").GetInt64();
            if ((resultType is not null && type != resultType) || (key is not null && name != key) || generation < 1)
            {
                return null;
            }

            if (root.TryGetProperty("removed", out JsonElement removed) && removed.ValueKind == JsonValueKind.True)
            {
                return Tombstone(type, name, generation);
            }

            long length = root.GetProperty("length").GetInt64();
            int chunk = root.GetProperty("chunk").GetInt32();
            string version = root.GetProperty("version").GetString() ?? string.Empty;
            string stamp = root.GetProperty("stamp").GetString() ?? string.Empty;
            long created = root.GetProperty("created").GetInt64();
            string algorithm = root.GetProperty("alg").GetString() ?? string.Empty;
            JsonElement sums = root.GetProperty("sums");
            if (length <= 0 || length > maxLength || chunk is < 4096 or > 64 * 1024 * 1024 || version.Length is 0 or > 64 || stamp.Length > 1024
                || algorithm != (secret is null ? "xxh3" : "hmac-sha256")
                || sums.ValueKind != JsonValueKind.Array || sums.GetArrayLength() != ChunksFor(length, chunk))
            {
                return null;
            }

            var digests = new string[sums.GetArrayLength()];
            int i = 0;
            foreach (JsonElement sum in sums.EnumerateArray())
            {
                digests[i++] = sum.GetString() is { Length: > 0 and <= 64 } text ? text : throw new FormatException("bad chunk digest");
            }

            string[]? tags = null;
            if (root.TryGetProperty("tags", out JsonElement tagList))
            {
                if (tagList.ValueKind != JsonValueKind.Array || tagList.GetArrayLength() > MaxTags)
                {
                    return null;
                }

                tags = [.. tagList.EnumerateArray().Select(tag => tag.GetString() is { Length: > 0 and <= MaxTagChars } text ? text : throw new FormatException("bad tag"))];
            }

            return new RemoteManifest(type, name, generation, Removed: false, length, chunk, version, stamp, created, algorithm, digests, tags);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The JSON part of a record, once its MAC checks (or as it is, without a secret); null when it does not.</summary>
    private static byte[]? Authenticated(ReadOnlySpan<byte> bytes, byte[]? secret)
    {
        int newline = bytes.LastIndexOf((byte)'\n');
        if (secret is null)
        {
            return newline < 0 ? bytes.ToArray() : null; // an authenticated record cannot be checked without the secret
        }

        if (newline < 0 || bytes.Length - newline - 1 != 64)
        {
            return null;
        }

        ReadOnlySpan<byte> json = bytes[..newline];
        byte[] expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(secret, json)));
        return CryptographicOperations.FixedTimeEquals(expected, bytes[(newline + 1)..]) ? json.ToArray() : null;
    }
}
