using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Osipy.MappedCache.Format;

/// <summary>
/// Metadata dictionaries to and from JSON, without reflection (so it also works under NativeAOT).
/// Accepted values: null, string, bool, integers, finite floating-point and decimal numbers,
/// <see cref="DateTime"/>/<see cref="DateTimeOffset"/>/<see cref="Guid"/>/enums (stored as strings),
/// string-keyed dictionaries, and other sequences (stored as arrays).
/// Read back, numbers written without a fraction or exponent are <see cref="long"/> (or
/// <see cref="ulong"/> above its range) and all others <see cref="double"/>: a floating-point value is
/// written with a fraction even when integral (1400.0, never 1400), so its type survives the round trip;
/// arrays are <c>object?[]</c> and objects are <c>Dictionary&lt;string, object?&gt;</c>.
/// </summary>
internal static class MetadataJson
{
    private const int MaxDepth = 64;

    /// <exception cref="ArgumentException">A value cannot be represented in JSON.</exception>
    public static string Serialize(IReadOnlyDictionary<string, object?>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in metadata)
            {
                ArgumentNullException.ThrowIfNull(name, "metadata key");
                writer.WritePropertyName(name);
                WriteValue(writer, value, name, 1);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <exception cref="JsonException">Not a JSON object, or nested deeper than allowed.</exception>
    /// <summary>
    /// Checks that <paramref name="utf8Json"/> is one JSON object within the depth limit, without
    /// building anything: opening a segment validates its metadata this way, and
    /// <see cref="CacheEntry.Metadata"/> parses it only when first read.
    /// </summary>
    /// <exception cref="JsonException">The text is not valid JSON, not an object, or nests too deep.</exception>
    public static void Validate(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Metadata is not a JSON object.");
        }

        while (reader.Read())
        {
            // Reading to the end checks the syntax, the depth and that nothing follows the object.
        }
    }

    public static IReadOnlyDictionary<string, object?> Deserialize(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? (Dictionary<string, object?>)ToClr(document.RootElement)!
            : throw new JsonException("Metadata is not a JSON object.");
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"Metadata value '{path}' nests deeper than {MaxDepth} levels.");
        }

        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case sbyte or short or int or long: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case byte or ushort or uint or ulong: writer.WriteNumberValue(Convert.ToUInt64(value, CultureInfo.InvariantCulture)); break;
            case float or double or Half:
                WriteFloatingPoint(writer, value, path);
                break;
            case decimal m: writer.WriteNumberValue(m); break;
            case DateTime dt: writer.WriteStringValue(dt.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset dto: writer.WriteStringValue(dto.ToString("O", CultureInfo.InvariantCulture)); break;
            case Guid g: writer.WriteStringValue(g.ToString()); break;
            case Enum e: writer.WriteStringValue(e.ToString()); break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry item in dictionary)
                {
                    if (item.Key is not string key)
                    {
                        throw new ArgumentException($"Metadata value '{path}' is a dictionary with non-string keys.");
                    }

                    writer.WritePropertyName(key);
                    WriteValue(writer, item.Value, path + "." + key, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                writer.WriteStartObject();
                foreach (var (key, item) in pairs)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item, path + "." + key, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                int index = 0;
                foreach (object? item in sequence)
                {
                    WriteValue(writer, item, $"{path}[{index++}]", depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Metadata value '{path}' has type {value.GetType()}, which is not JSON-able (use strings, numbers, booleans, lists and dictionaries).");
        }
    }

    /// <summary>
    /// A floating-point number written so that it reads back as one: shortest round-trip digits,
    /// with ".0" added to an integral value (Utf8JsonWriter writes 1400.0 as "1400", which every
    /// reader, this one and Python's json included, takes for an integer).
    /// </summary>
    private static void WriteFloatingPoint(Utf8JsonWriter writer, object value, string path)
    {
        double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (!double.IsFinite(d))
        {
            throw new ArgumentException($"Metadata value '{path}' is {d}, which JSON cannot represent.");
        }

        // A float keeps its own shortest digits (0.1f is "0.1", not its double's 0.10000000149011612).
        string text = value is float f
            ? f.ToString("R", CultureInfo.InvariantCulture)
            : d.ToString("R", CultureInfo.InvariantCulture);
        if (text.AsSpan().IndexOfAny('.', 'E', 'e') < 0)
        {
            text += ".0";
        }

        writer.WriteRawValue(text, skipInputValidation: true);
    }

    /// <summary>A repeated name keeps its last value, as JavaScript and Python's json do.</summary>
    private static Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            dictionary[property.Name] = ToClr(property.Value);
        }

        return dictionary;
    }

    private static object? ToClr(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToDictionary(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToClr).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => Number(element),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // A number written without a fraction or exponent is an integer (long, or ulong above long's
    // range); any other, 1400.0 included, is a double, so a float stays a float through a round trip.
    private static object Number(JsonElement element) =>
        element.TryGetInt64(out long signed) ? signed
        : element.TryGetUInt64(out ulong unsigned) ? (object)unsigned // (object): else every branch becomes double
        : element.GetDouble();
}
