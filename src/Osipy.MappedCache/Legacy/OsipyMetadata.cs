using System.Text;
using System.Text.Json;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Legacy;

/// <summary>
/// osipy's metadata (Python's json.dumps of a dict) as an entry's metadata JSON: the same values
/// and kinds (an integer stays an integer, a float a float, 2.0 included), within the entry's bounds.
/// </summary>
internal static class OsipyMetadata
{
    /// <exception cref="LegacyFormatException">
    /// Not a JSON object (Python writes NaN and Infinity, which JSON and the cache's metadata cannot
    /// hold), too deep or too large, or using the property the cache keeps for tags.
    /// </exception>
    public static string ToEntryJson(string osipyJson)
    {
        IReadOnlyDictionary<string, object?> metadata;
        try
        {
            metadata = MetadataJson.Deserialize(osipyJson);
        }
        catch (JsonException ex)
        {
            // Python's json writes NaN and Infinity as bare words, which are not JSON.
            throw new LegacyFormatException($"its metadata is not a JSON object the cache can hold (NaN or Infinity, perhaps): {ex.Message.Split('\n')[0]}", ex);
        }

        if (metadata.ContainsKey(EntryTags.Property))
        {
            throw new LegacyFormatException($"its metadata uses '{EntryTags.Property}', the property the cache keeps for tags");
        }

        string json;
        try
        {
            json = MetadataJson.Serialize(metadata);
        }
        catch (ArgumentException ex)
        {
            throw new LegacyFormatException($"its metadata cannot be stored ({ex.Message})", ex);
        }

        return Encoding.UTF8.GetByteCount(json) <= SegmentLimits.MaxMetadataBytes
            ? json
            : throw new LegacyFormatException($"its metadata is over {SegmentLimits.MaxMetadataBytes} bytes of JSON");
    }
}
