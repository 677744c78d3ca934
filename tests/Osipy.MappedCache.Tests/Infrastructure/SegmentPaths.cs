using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>Where the library puts a key's segment, for tests that damage or inspect files.</summary>
public static class SegmentPaths
{
    public static string Single(IntermediateCache cache, string resultType, string key) =>
        new SegmentStore(cache.CacheDir).SegmentPath(resultType, key, SegmentKind.SingleArray);

    public static string Bundle(IntermediateCache cache, string resultType, string key) =>
        new SegmentStore(cache.CacheDir).SegmentPath(resultType, key, SegmentKind.Bundle);

    public static string Compressed(string cacheDir, string resultType, string key) =>
        new SegmentStore(cacheDir).SegmentPath(resultType, key, SegmentKind.Compressed);

    /// <summary>The node's raw copy of a compressed entry, in the CACHED directory <paramref name="cachedDir"/>.</summary>
    public static string RawCopy(string cachedDir, string resultType, string key) =>
        RawCopyFile.PathFor(cachedDir, new SegmentStore(cachedDir).Locate(resultType, key));

    /// <summary>The lock a raw copy is built under (it exists while held).</summary>
    public static string RawCopyLock(string cacheDir, string resultType, string key) =>
        Path.Combine(cacheDir, KeyLocks.DirectoryName, "keys", $"{Path.GetFileName(new SegmentStore(cacheDir).TypeDirectory(resultType))}-{SegmentStore.Digest(key)}.raw.lock");
}
