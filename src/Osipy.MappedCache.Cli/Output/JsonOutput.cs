using System.Globalization;
using System.Text.Json;

namespace Osipy.MappedCache.Cli.Output;

/// <summary>Writes a command's one JSON document to standard output (the shapes are in docs/CLI.md).</summary>
internal static class JsonOutput
{
    public static void Write(Action<Utf8JsonWriter> body)
    {
        using Stream stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            body(writer);
        }

        stdout.WriteByte((byte)'\n');
    }

    /// <summary>A metadata value as read back from a segment: null, bool, long, double, string, array or object.</summary>
    public static void Value(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case long integer:
                writer.WriteNumberValue(integer);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture)); // JSON has no NaN or infinity
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach ((string name, object? item) in map)
                {
                    writer.WritePropertyName(name);
                    Value(writer, item);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    Value(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>What reclaiming dead sessions removed: sessions, segments, temp_files, raw_copies, unfinished_fills, bytes (gc and stats).</summary>
    public static void Reclaimed(Utf8JsonWriter writer, ReclaimReport report)
    {
        writer.WriteNumber("sessions", report.Sessions);
        writer.WriteNumber("segments", report.Segments);
        writer.WriteNumber("temp_files", report.TempFiles);
        writer.WriteNumber("raw_copies", report.RawCopies);
        writer.WriteNumber("unfinished_fills", report.UnfinishedFills);
        writer.WriteNumber("bytes", report.Bytes);
    }

    /// <summary>An entry's common fields: type, key, policy, kind, dtype, shape, arrays, sizes, time.</summary>
    public static void Entry(Utf8JsonWriter writer, StoredSegment segment, DateTimeOffset now)
    {
        CacheEntry entry = segment.Entry;
        writer.WriteString("type", entry.ResultType);
        writer.WriteString("key", entry.Key);
        writer.WriteString("policy", Names.Policy(entry.Policy));
        writer.WriteString("kind", entry.IsBundle ? "bundle" : "array");
        writer.WriteBoolean("compressed", segment.IsCompressed);
        if (entry.ElementType is { } type)
        {
            writer.WriteString("dtype", Names.DType(type));
        }
        else
        {
            writer.WriteNull("dtype");
        }

        writer.WriteStartArray("shape");
        foreach (int dim in entry.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("arrays");
        foreach (string name in entry.ArrayNames)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("tags");
        foreach (string tag in entry.Tags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WriteNumber("size_bytes", entry.SizeBytes);
        writer.WriteNumber("file_bytes", segment.FileBytes);
        writer.WriteString("created_at", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteNumber("age_seconds", Math.Round((now - entry.CreatedAt).TotalSeconds, 3));
        writer.WriteString("session", segment.SessionId);
        writer.WriteBoolean("session_alive", segment.SessionAlive);
        writer.WriteString("path", segment.Path);
    }
}
