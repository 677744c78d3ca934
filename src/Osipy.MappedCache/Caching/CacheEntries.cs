using System.Text.Json;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Caching;

/// <summary>Builds the public <see cref="CacheEntry"/> from a validated segment record.</summary>
internal static class CacheEntries
{
    /// <exception cref="CorruptSegmentException">The metadata or the time stamp cannot be read.</exception>
    public static CacheEntry FromRecord(SegmentRecord record, string path)
    {
        IReadOnlyDictionary<string, object?> metadata;
        DateTimeOffset created;
        try
        {
            metadata = MetadataJson.Deserialize(record.MetadataJson);
            created = DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedUnixMilliseconds);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new CorruptSegmentException(path, "metadata or creation time unreadable: " + ex.Message);
        }

        bool single = record.Kind == SegmentKind.SingleArray;
        return new CacheEntry
        {
            Key = record.Key,
            ResultType = record.ResultType,
            CreatedAt = created,
            SizeBytes = record.PayloadBytes,
            Metadata = metadata,
            Policy = record.Policy,
            ElementType = single ? DTypes.ClrType(record.Arrays[0].DType) : null,
            Shape = single ? Array.AsReadOnly(record.Arrays[0].Shape.Select(d => (int)d).ToArray()) : [],
            ArrayNames = single ? [] : Array.AsReadOnly(record.Arrays.Select(a => a.Name).ToArray()),
        };
    }
}
