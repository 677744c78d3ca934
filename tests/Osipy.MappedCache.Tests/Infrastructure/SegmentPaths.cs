using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>Where the library puts a key's segment, for tests that damage or inspect files.</summary>
public static class SegmentPaths
{
    public static string Single(IntermediateCache cache, string resultType, string key) =>
        new SegmentStore(cache.CacheDir).SegmentPath(resultType, key, SegmentKind.SingleArray);

    public static string Bundle(IntermediateCache cache, string resultType, string key) =>
        new SegmentStore(cache.CacheDir).SegmentPath(resultType, key, SegmentKind.Bundle);
}
