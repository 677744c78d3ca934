using System.Text.Json;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Compression;

/// <summary>
/// The node's raw copy of a compressed entry: built once, mapped by every later session, dropped
/// with its source, never trusted when damaged or stale, and never counted as an entry.
/// </summary>
public sealed class RawCopyTests : IDisposable
{
    private const int Elements = 700_000; // 2.8 MB: three chunks, across a 2 MiB block boundary

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string RawCopy => SegmentPaths.RawCopy(_dir.CachePath, "z", "k");

    private string Compressed => SegmentPaths.Compressed(_dir.CachePath, "z", "k");

    [Fact]
    public void FirstGetOfTheNode_PublishesARawCopy_ThatTheNextSessionMapsWithoutDecompressing()
    {
        float[] data = PutWithoutRawCopy(stamp: 1);
        var first = new RecordingLogger();
        using (IntermediateCache reader = Open(first))
        using (MappedArray<float> view = reader.Get<float>("z", "k")!)
        {
            Assert.Equal(data, view.ReadOnlySpan.ToArray());
        }

        Assert.Single(first.Entries, IsDecompression);
        Assert.Contains("shared with the node: True", first.Entries.Single(IsDecompression).Message, StringComparison.Ordinal);
        ulong inode = Inode(RawCopy);
        Assert.Empty(ProcessMaps.FilesUnder(_dir.CachePath)); // the first session is gone, and with it its mapping

        var second = new RecordingLogger();
        using IntermediateCache next = Open(second);
        using MappedArray<float> again = next.Get<float>("z", "k")!;

        Assert.Equal(data, again.ReadOnlySpan.ToArray());
        Assert.Equal([(inode, RawCopy)], ProcessMaps.FilesUnder(_dir.CachePath));
        Assert.DoesNotContain(second.Entries, IsDecompression);
        AssertIsCopyOfTheSource();
    }

    [Fact]
    public void CompressedPut_PublishesItsOwnCopyForTheNode()
    {
        float[] data = Put(stamp: 2);

        Assert.True(File.Exists(RawCopy));
        AssertIsCopyOfTheSource();
        var logger = new RecordingLogger();
        using IntermediateCache reader = Open(logger);
        using MappedArray<float> view = reader.Get<float>("z", "k")!;
        Assert.Equal(data, view.ReadOnlySpan.ToArray());
        Assert.Equal([(Inode(RawCopy), RawCopy)], ProcessMaps.FilesUnder(_dir.CachePath));
        Assert.DoesNotContain(logger.Entries, IsDecompression);
    }

    [Fact]
    public void WithACachedDirectory_TheRawCopyLivesThere_AndGoesWithItsEntry()
    {
        CacheConfig config = _dir.Config(RetentionPolicy.Persistent) with { Compression = true, CachedDir = Path.Combine(_dir.Root, "shm") };
        var data = new float[Elements];
        Patterns.Fill(data, 15);
        using (var writer = new IntermediateCache(config))
        {
            writer.Put<float>("z", "k", data, [Elements]);
        }

        string raw = SegmentPaths.RawCopy(config.CachedDir!, "z", "k");
        Assert.True(File.Exists(raw));
        Assert.False(File.Exists(RawCopy));
        var logger = new RecordingLogger();
        using var reader = new IntermediateCache(config, TimeProvider.System, logger);
        using (MappedArray<float> view = reader.Get<float>("z", "k")!)
        {
            Assert.Equal(data, view.ReadOnlySpan.ToArray());
            Assert.Equal([(Inode(raw), raw)], ProcessMaps.FilesUnder(config.CachedDir!));
        }

        Assert.DoesNotContain(logger.Entries, IsDecompression);
        reader.Invalidate("z", "k");
        Assert.False(File.Exists(raw));
    }

    [Fact]
    public void RawCopies_AreNotEntries_ForListingsStatsVerifyOrTheTool()
    {
        Put(stamp: 3);
        using IntermediateCache cache = Open();
        cache.Get<float>("z", "k")!.Dispose();
        Assert.True(File.Exists(RawCopy));

        StoredSegment listed = Assert.Single(cache.ListSegments());
        Assert.Equal(Compressed, listed.Path);
        CacheStats stats = cache.GetStats();
        Assert.Equal(1, stats.DiskEntries);
        Assert.Equal(new FileInfo(Compressed).Length, stats.DiskSizeBytes);
        Assert.Equal(1, cache.VerifyAll().Checked);
        Assert.Equal(1, OsipyCacheTool.Json("ls", "--cache-dir", _dir.CachePath).GetProperty("entries").GetArrayLength());
        Assert.Equal(1, OsipyCacheTool.Json("stats", "--cache-dir", _dir.CachePath).GetProperty("disk_entries").GetInt32());
        Assert.True(File.Exists(RawCopy)); // looking never removes it
    }

    [Fact]
    public void Invalidate_DropsTheRawCopy_AndTheNextGetReadsTheNewData()
    {
        Put(stamp: 4);
        using IntermediateCache cache = Open();
        cache.Get<float>("z", "k")!.Dispose();

        cache.Invalidate("z", "k");

        Assert.False(File.Exists(RawCopy));
        Assert.False(File.Exists(Compressed));
        Assert.Null(cache.Get<float>("z", "k"));
        float[] replaced = PutWithoutRawCopy(stamp: 5);
        using MappedArray<float> view = cache.Get<float>("z", "k")!;
        Assert.Equal(replaced, view.ReadOnlySpan.ToArray());
        AssertIsCopyOfTheSource();
    }

    [Fact]
    public void ReplacingPut_ReplacesTheRawCopy_AndAnUncompressedPutDropsIt()
    {
        Put(stamp: 6);
        ulong before = Inode(RawCopy);
        using IntermediateCache reader = Open();
        using (MappedArray<float> old = reader.Get<float>("z", "k")!)
        {
            float[] newer = Put(stamp: 7);

            Assert.NotEqual(before, Inode(RawCopy));
            AssertIsCopyOfTheSource();
            using MappedArray<float> current = reader.Get<float>("z", "k")!;
            Assert.Equal(newer, current.ReadOnlySpan.ToArray());
            Assert.Equal(6f, old.ReadOnlySpan[0]); // a lease keeps its snapshot
        }

        using (var plain = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            plain.Put<float>("z", "k", [8f], [1]);
        }

        Assert.False(File.Exists(RawCopy));
        using MappedArray<float> raw = reader.Get<float>("z", "k")!;
        Assert.Equal([8f], raw.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Get_FindingACopyOfAnOlderSource_ReplacesIt()
    {
        Put(stamp: 9);
        byte[] olderCopy = File.ReadAllBytes(RawCopy);
        float[] newer = Put(stamp: 10);
        File.WriteAllBytes(RawCopy, olderCopy); // as if left by a session with another CACHED directory

        using IntermediateCache reader = Open();
        using MappedArray<float> view = reader.Get<float>("z", "k")!;

        Assert.Equal(newer, view.ReadOnlySpan.ToArray());
        AssertIsCopyOfTheSource();
    }

    [Fact]
    public void Clear_RemovesEveryRawCopyOfTheType_EvenOneWhoseSourceWentBehindItsBack()
    {
        Put(stamp: 11);
        Put(stamp: 12, key: "other");
        File.Delete(SegmentPaths.Compressed(_dir.CachePath, "z", "other"));
        using IntermediateCache cache = Open();

        cache.Clear("z");

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(RawCopy)!, "*" + RawCopyFile.Extension));
        Assert.Empty(_dir.SegmentFiles());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("record")]
    [InlineData("header")]
    [InlineData("payload")]
    public void DamagedRawCopy_IsNotTrusted_ItIsRebuiltAndTheGetReadsTheRightData(string damage)
    {
        float[] data = Put(stamp: 13);
        byte[] bytes = File.ReadAllBytes(RawCopy);
        switch (damage)
        {
            case "truncated":
                bytes = bytes[..^100];
                break;
            case "record":
                bytes[^40] ^= 0x10; // inside the record, before the trailer: its checksum fails
                break;
            case "header":
                bytes[20] ^= 0x10;
                break;
            default:
                bytes[4096 + 1000] ^= 0x10; // only the payload checksum sees it: VerifyOnFirstMap below
                break;
        }

        File.WriteAllBytes(RawCopy, bytes);
        var logger = new RecordingLogger();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { VerifyOnFirstMap = damage == "payload" }, TimeProvider.System, logger);

        using MappedArray<float> view = cache.Get<float>("z", "k")!;

        Assert.Equal(data, view.ReadOnlySpan.ToArray());
        Assert.Contains(logger.Entries, e => e.Message.Contains("is not trusted", StringComparison.Ordinal) && e.Message.Contains(RawCopy, StringComparison.Ordinal));
        Assert.Single(logger.Entries, IsDecompression);
        AssertIsCopyOfTheSource();
        Assert.Equal(bytes.Length + (damage == "truncated" ? 100 : 0), new FileInfo(RawCopy).Length);
        Assert.Equal(0, cache.GetStats().CorruptSegments); // the entry itself is sound
        Assert.Empty(_dir.QuarantinedFiles());
        Assert.True(File.Exists(Compressed));
    }

    [Fact]
    public void Verify_ChecksTheCompressedFile_NotTheNodesRawCopy()
    {
        Put(stamp: 14);
        byte[] bytes = File.ReadAllBytes(RawCopy);
        bytes[4096 + 8] ^= 0x10;
        File.WriteAllBytes(RawCopy, bytes);
        using IntermediateCache cache = Open();

        Assert.True(cache.Verify("z", "k"));

        Assert.Equal(0, cache.GetStats().CorruptSegments);
        Assert.True(File.Exists(Compressed));
    }

    private IntermediateCache Open(RecordingLogger? logger = null) =>
        new(_dir.Config(RetentionPolicy.Persistent) with { Compression = true }, TimeProvider.System, logger);

    /// <summary>A compressed put on this node (which publishes the putting session's raw copy).</summary>
    private float[] Put(float stamp, string key = "k")
    {
        var data = new float[Elements];
        Patterns.Fill(data, stamp);
        using IntermediateCache writer = Open();
        writer.Put<float>("z", key, data, [Elements]);
        return data;
    }

    /// <summary>A compressed entry the node has no raw copy of yet, as when it came from another node.</summary>
    private float[] PutWithoutRawCopy(float stamp)
    {
        float[] data = Put(stamp);
        File.Delete(RawCopy);
        return data;
    }

    private void AssertIsCopyOfTheSource()
    {
        using OpenedSegment raw = SegmentReader.TryOpen(RawCopy)!;
        using OpenedSegment source = SegmentReader.TryOpen(Compressed)!;
        Assert.True(RawCopyFile.IsCopyOf(raw.Record, source.Record, source.Identity), "the raw copy's record should name the compressed file");
    }

    private static ulong Inode(string path) => FileIdentity.OfPath(path)!.Value.Inode;

    private static bool IsDecompression((Microsoft.Extensions.Logging.LogLevel Level, string Message) entry) =>
        entry.Message.StartsWith("Decompressed '", StringComparison.Ordinal);
}
