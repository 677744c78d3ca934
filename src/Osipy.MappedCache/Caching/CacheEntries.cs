using Osipy.MappedCache.Format;

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
            MetadataJson = record.MetadataJson,
            Policy = record.Policy,
            ElementType = single ? DTypes.ClrType(record.Arrays[0].DType) : null,
            Shape = single ? record.Arrays[0].IntShape() : [],
            ArrayNames = single ? [] : ArrayNames(record.Arrays),
        };
    }

    /// <summary>The entry a zero-copy writer will publish: its creation time is the draft's.</summary>
    public static CacheEntry FromDraft(SegmentDraft draft)
    {
        ArrayDraft array = draft.Arrays[0];
        return new CacheEntry
        {
            Key = draft.Key,
            ResultType = draft.ResultType,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(draft.CreatedUnixMilliseconds),
            SizeBytes = array.PayloadLength,
            MetadataJson = draft.MetadataJson,
            Policy = draft.Policy,
            ElementType = DTypes.ClrType(array.DType),
            Shape = new ArrayRecord(array.Name, array.DType, array.Shape, 0, array.PayloadLength, 0).IntShape(),
            ArrayNames = [],
        };
    }

    private static IReadOnlyList<string> ArrayNames(IReadOnlyList<ArrayRecord> arrays)
    {
        var names = new string[arrays.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = arrays[i].Name;
        }

        return Array.AsReadOnly(names);
    }
}
