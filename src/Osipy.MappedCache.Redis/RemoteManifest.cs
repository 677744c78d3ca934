using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The small record committed last for each remote entry: which entry, the segment file's length,
/// its chunking, the upload's version (names its chunk keys), its write generation (one more than
/// the manifest it replaced), and the XxHash3 of every chunk. JSON, read as untrusted input:
/// every number is checked before it sizes anything.
/// </summary>
internal sealed record RemoteManifest(string ResultType, string Key, long Length, int ChunkBytes, string Version, long Generation, ulong[] ChunkChecksums)
{
    private const int FormatVersion = 2;

    public int ChunkCount => ChunkChecksums.Length;

    public static int ChunksFor(long length, int chunkBytes) => checked((int)((length + chunkBytes - 1) / chunkBytes));

    public int ChunkLength(int index) => (int)Math.Min(ChunkBytes, Length - ((long)index * ChunkBytes));

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("type", ResultType);
            writer.WriteString("key", Key);
            writer.WriteNumber("length", Length);
            writer.WriteNumber("chunk", ChunkBytes);
            writer.WriteString("version", Version);
            writer.WriteNumber("gen", Generation);
            writer.WriteStartArray("sums");
            foreach (ulong sum in ChunkChecksums)
            {
                writer.WriteStringValue(sum.ToString("x16", CultureInfo.InvariantCulture));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The manifest in <paramref name="bytes"/>, or null when it is not one this code wrote for (<paramref name="resultType"/>, <paramref name="key"/>).</summary>
    public static RemoteManifest? TryDecode(ReadOnlySpan<byte> bytes, string resultType, string key, long maxLength)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 4 });
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || root.GetProperty("v").GetInt32() != FormatVersion
                || root.GetProperty("type").GetString() != resultType
                || root.GetProperty("key").GetString() != key)
            {
                return null;
            }

            long length = root.GetProperty("length").GetInt64();
            int chunk = root.GetProperty("chunk").GetInt32();
            string version = root.GetProperty("version").GetString() ?? string.Empty;
            long generation = root.GetProperty("gen").GetInt64();
            JsonElement sums = root.GetProperty("sums");
            if (length <= 0 || length > maxLength || chunk is < 4096 or > 64 * 1024 * 1024 || version.Length is 0 or > 64 || generation < 1
                || sums.ValueKind != JsonValueKind.Array || sums.GetArrayLength() != ChunksFor(length, chunk))
            {
                return null;
            }

            var checksums = new ulong[sums.GetArrayLength()];
            int i = 0;
            foreach (JsonElement sum in sums.EnumerateArray())
            {
                if (!ulong.TryParse(sum.GetString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out checksums[i++]))
                {
                    return null;
                }
            }

            return new RemoteManifest(resultType, key, length, chunk, version, generation, checksums);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
