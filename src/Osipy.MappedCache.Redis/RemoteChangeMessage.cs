using System.Text.Json;

namespace Osipy.MappedCache.Redis;

/// <summary>The pub/sub message announcing a <see cref="RemoteChange"/>: JSON <c>{"t": type, "k": key, "s": stamp}</c>, absent fields null. Read as untrusted input.</summary>
internal static class RemoteChangeMessage
{
    private const int MaxBytes = 512 * 1024;

    public static byte[] Encode(RemoteChange change)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            Write(writer, "t", change.ResultType);
            Write(writer, "k", change.Key);
            Write(writer, "s", change.Stamp);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <returns>The change, or null for a message this code did not write.</returns>
    public static RemoteChange? TryDecode(ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxBytes)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 2 });
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? type = Read(root, "t"), key = Read(root, "k"), stamp = Read(root, "s");
            return type is null && key is not null ? null : new RemoteChange(type, key, stamp);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void Write(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string? Read(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
