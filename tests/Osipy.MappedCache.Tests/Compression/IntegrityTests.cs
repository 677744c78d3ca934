using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Compression;

/// <summary>Damage to payloads and chunks is found: on demand (Verify), on first map if asked, and always for chunks.</summary>
public sealed class IntegrityTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Verify_FindsAFlippedPayloadByteInARawSegment_AndQuarantinesIt()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put<float>("t", "good", TestData.Ramp(10_000), [10_000]);
        cache.Put<float>("t", "bad", TestData.Ramp(10_000), [10_000]);
        FlipByte(SegmentPaths.Single(cache, "t", "bad"), 4096 + 20_000);

        Assert.True(cache.Verify("t", "good"));
        Assert.False(cache.Verify("t", "bad"));
        Assert.Null(cache.Verify("t", "absent"));

        Assert.Single(_dir.QuarantinedFiles());
        Assert.Equal(1, cache.GetStats().CorruptSegments);
        Assert.Null(cache.Get<float>("t", "bad"));
    }

    [Fact]
    public void VerifyAll_ReportsEveryBadFile_WithProgress()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { CompressionByType = new Dictionary<string, bool> { ["z"] = true } });
        for (int i = 0; i < 4; i++)
        {
            cache.Put<float>("t", $"k{i}", TestData.Ramp(5000), [5000]);
        }

        cache.Put<float>("z", "k", TestData.Ramp(500_000), [500_000]);
        FlipByte(SegmentPaths.Single(cache, "t", "k2"), 4096 + 100);
        FlipByte(Assert.Single(_dir.SegmentFiles(), f => f.EndsWith(".zseg", StringComparison.Ordinal)), 4096 + 10);
        var seen = new List<VerifyProgress>();

        VerifyReport report = cache.VerifyAll(new SynchronousProgress(seen));

        Assert.Equal(5, report.Checked);
        Assert.Equal(2, report.Corrupt.Count);
        Assert.Contains(report.Corrupt, line => line.Contains("payload checksum mismatch", StringComparison.Ordinal));
        Assert.Contains(report.Corrupt, line => line.Contains("chunk 0", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, 5).Select(done => new VerifyProgress(done, 5)), seen);
        Assert.Equal(2, _dir.QuarantinedFiles().Length);
    }

    [Fact]
    public void VerifyOnFirstMap_TurnsAFlippedPayloadByteIntoAMiss()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t", "k", TestData.Ramp(10_000), [10_000]);
            FlipByte(SegmentPaths.Single(writer, "t", "k"), 4096 + 8);
        }

        using (var trusting = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        using (MappedArray<float>? unverified = trusting.Get<float>("t", "k"))
        {
            Assert.NotNull(unverified); // off by default: a get reads no payload
        }

        using var checking = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { VerifyOnFirstMap = true });
        Assert.Null(checking.Get<float>("t", "k"));
        Assert.Equal(1, checking.GetStats().CorruptSegments);
    }

    [Fact]
    public void LargePut_WhoseChecksumIsComputedAlongsideItsWrites_VerifiesAndStillCatchesAFlippedByte()
    {
        // 80 MiB: above the size at which a put hashes on a second thread while it writes.
        const int Length = 20 * 1024 * 1024;
        float[] data = TestData.Ramp(Length);
        string path;
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t", "large", data, [Length]);
            path = SegmentPaths.Single(writer, "t", "large");
        }

        using (var checking = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { VerifyOnFirstMap = true }))
        using (MappedArray<float>? verified = checking.Get<float>("t", "large"))
        {
            Assert.NotNull(verified);
            Assert.Equal(data[^1], verified.ReadOnlySpan[^1]);
        }

        FlipByte(path, 4096 + (Length * sizeof(float) / 2));
        using var rechecking = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { VerifyOnFirstMap = true });
        Assert.Null(rechecking.Get<float>("t", "large"));
        Assert.Equal(1, rechecking.GetStats().CorruptSegments);
    }

    [Fact]
    public void CorruptedChunk_IsAMiss_AndTheLogNamesTheChunk()
    {
        string path;
        // Written on "another node": its raw copy goes to its own CACHED directory, so the reader
        // below has none and decompresses the chunks (a node's valid copy would keep serving the
        // bytes that were put; Verify checks the compressed file itself).
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { Compression = true, CachedDir = Path.Combine(_dir.Root, "writer-node") }))
        {
            writer.Put<float>("t", "k", TestData.Ramp(700_000), [700_000]); // 2.7 MB: three chunks
            path = Assert.Single(_dir.SegmentFiles());
        }

        FlipByte(path, (int)new FileInfo(path).Length / 2);
        var logger = new RecordingLogger();
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent), TimeProvider.System, logger);

        Assert.Null(reader.Get<float>("t", "k"));

        Assert.Equal(1, reader.GetStats().CorruptSegments);
        Assert.Contains(logger.Entries, e => e.Message.Contains("chunk", StringComparison.Ordinal) && e.Message.Contains(path, StringComparison.Ordinal));
        Assert.Single(_dir.QuarantinedFiles());
    }

    [Theory]
    [InlineData(100)]
    [InlineData(5000)]
    public void TruncatedCompressedFile_IsAMiss(int bytesCut)
    {
        string path;
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { Compression = true }))
        {
            writer.Put<float>("t", "k", TestData.Ramp(700_000), [700_000]);
            path = Assert.Single(_dir.SegmentFiles());
        }

        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^bytesCut]);
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));

        Assert.Null(reader.Get<float>("t", "k"));
        Assert.Equal(1, reader.GetStats().CorruptSegments);
    }

    private static void FlipByte(string path, int offset)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Reports on the calling thread, unlike Progress&lt;T&gt;, so the test sees every report before it asserts.</summary>
    private sealed class SynchronousProgress(List<VerifyProgress> seen) : IProgress<VerifyProgress>
    {
        public void Report(VerifyProgress value) => seen.Add(value);
    }
}
