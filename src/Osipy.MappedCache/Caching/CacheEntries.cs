using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Caching;

/// <summary>Builds the public <see cref="CacheEntry"/> from a validated segment record.</summary>
internal static class CacheEntries
{
    public static CacheEntry FromRecord(SegmentRecord record)
    {
        bool single = record.Kind != SegmentKind.Bundle;
        return new CacheEntry
        {
            Key = record.Key,
            ResultType = record.ResultType,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedUnixMilliseconds),
            SizeBytes = record.PayloadBytes,
            Metadata = record.Metadata,
            Policy = record.Policy,
            ElementType = single ? DTypes.ClrType(record.Arrays[0].DType) : null,
            Shape = single ? Array.AsReadOnly(record.Arrays[0].Shape.Select(d => (int)d).ToArray()) : [],
            ArrayNames = single ? [] : Array.AsReadOnly(record.Arrays.Select(a => a.Name).ToArray()),
        };
    }
}
