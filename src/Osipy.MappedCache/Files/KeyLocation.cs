using System.IO.Hashing;
using System.Text;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Where one key lives in a store, worked out once: its type directory, the digest that names its
/// files, and its bucket, which picks the key's cross-process lock stripe and generation counter, and its
/// last-use slot.
/// </summary>
/// <remarks>
/// The bucket is a function of the type directory's name and the key's digest only, so anything
/// that knows a segment's path (the reclaimer, the quarantine, Clear) finds the same bucket as
/// the session that knows the key.
/// </remarks>
internal readonly struct KeyLocation
{
    /// <summary>Generation counters (and so buckets) in a cache directory: 64 KiB of counters.</summary>
    public const int BucketCount = 8192;

    private KeyLocation(string typeDirectory, string keyDigest)
    {
        TypeDirectory = typeDirectory;
        KeyDigest = keyDigest;
        ulong hash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(Path.GetFileName(typeDirectory) + "/" + keyDigest));
        Bucket = (int)(hash % BucketCount);
        LastUseSlot = (int)(hash >> 48); // other bits than the bucket's: 65,536 slots
    }

    public string TypeDirectory { get; }

    public string KeyDigest { get; }

    public int Bucket { get; }

    /// <summary>The key's slot in the directory's last-use table (Mapping/LastUseTable).</summary>
    public int LastUseSlot { get; }

    public static KeyLocation Of(SegmentStore store, string resultType, string key) =>
        new(store.TypeDirectory(resultType), SegmentStore.Digest(key));

    /// <summary>The location of an existing segment file, from its path alone.</summary>
    public static KeyLocation OfSegmentPath(string path) =>
        new(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path));

    public string PathFor(SegmentKind kind) => Path.Combine(TypeDirectory, KeyDigest + SegmentStore.Extension(kind));
}
