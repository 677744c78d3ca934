using System.Numerics;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Compression;

/// <summary>PERSISTENT segments compressed at rest: what is stored, who decompresses, and when.</summary>
public sealed class CompressedSegmentTests : IDisposable
{
    private const int TwoAndAHalfChunks = (int)(2.5 * 1024 * 1024 / sizeof(float)) + 3; // not a multiple of the 1 MiB chunk

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Put_Persistent_WritesOnlyACompressedFile_AndEverySessionReadsTheValues()
    {
        float[] data = Smooth(TwoAndAHalfChunks);
        using (var writer = Open())
        {
            writer.Put<float>("t1_map", "k", data, [data.Length], new Dictionary<string, object?> { ["units"] = "ms" });
            using MappedArray<float> sameSession = writer.Get<float>("t1_map", "k")!;
            Assert.Equal(data, sameSession.ReadOnlySpan.ToArray());
        }

        string file = Assert.Single(_dir.SegmentFiles());
        Assert.EndsWith(".zseg", file, StringComparison.Ordinal);
        Assert.True(new FileInfo(file).Length < data.Length * sizeof(float) / 4, "smooth data should compress at least 4x");

        using var reader = Open();
        using MappedArray<float> first = reader.Get<float>("t1_map", "k")!;
        using MappedArray<float> second = reader.Get<float>("t1_map", "k")!;
        Assert.Equal(data, first.ReadOnlySpan.ToArray());
        Assert.Same(first.Mapping, second.Mapping); // decompressed once, then shared
        Assert.Equal("ms", first.Entry.Metadata["units"]);
        Assert.Equal(RetentionPolicy.Persistent, first.Entry.Policy);
        Assert.Single(_dir.SegmentFiles()); // the node's raw copy (published by the put) is not a segment
        Assert.Single(Directory.GetFiles(_dir.CachePath, "*.raw", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void RoundTrip_EveryElementType_AndSizesAroundTheChunk()
    {
        using (var writer = Open())
        {
            writer.Put<double>("p", "f64", Values(300_001, i => Math.Sin(i * 0.001)), [300_001]);
            writer.Put<short>("p", "i16", Values(1_000_003, i => (short)(i % 2000)), [1_000_003]);
            writer.Put<byte>("p", "u8", Values(3 * 1024 * 1024, i => (byte)(i / 7)), [3 * 1024 * 1024]);
            writer.Put<Half>("p", "f16", Values(5, i => (Half)i), [5]);
            writer.Put<Complex>("p", "c128", Values(70_000, i => new Complex(i, -i)), [70_000]);
            writer.Put<long>("p", "empty", [], [0]);
            writer.Put<float>("p", "random", Values(600_000, i => (float)new Random(i).NextDouble()), [600_000]);
        }

        using var reader = Open();
        AssertReads(reader, "f64", Values(300_001, i => Math.Sin(i * 0.001)));
        AssertReads(reader, "i16", Values(1_000_003, i => (short)(i % 2000)));
        AssertReads(reader, "u8", Values(3 * 1024 * 1024, i => (byte)(i / 7)));
        AssertReads(reader, "f16", Values(5, i => (Half)i));
        AssertReads(reader, "c128", Values(70_000, i => new Complex(i, -i)));
        AssertReads(reader, "empty", Array.Empty<long>());
        AssertReads(reader, "random", Values(600_000, i => (float)new Random(i).NextDouble()));
    }

    [Fact]
    public void CachedEntries_AndTypesOverriddenOff_AreNeverCompressed()
    {
        var config = _dir.Config(RetentionPolicy.Persistent) with
        {
            Compression = true,
            CompressionByType = new Dictionary<string, bool> { ["concentration"] = false },
            Policies = new Dictionary<string, RetentionPolicy> { ["scratch"] = RetentionPolicy.Cached },
        };
        using var cache = new IntermediateCache(config);

        cache.Put<float>("t1_map", "k", Smooth(1000), [1000]);
        cache.Put<float>("concentration", "k", Smooth(1000), [1000]);
        cache.Put<float>("scratch", "k", Smooth(1000), [1000]);

        Assert.Single(_dir.SegmentFiles(), f => f.EndsWith(".zseg", StringComparison.Ordinal));
        Assert.Equal(2, _dir.SegmentFiles().Count(f => f.EndsWith(".npy", StringComparison.Ordinal)));
    }

    [Fact]
    public void CompressionOnlyForListedTypes_WhenTheGlobalFlagIsOff()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { CompressionByType = new Dictionary<string, bool> { ["t1_map"] = true } });

        cache.Put<float>("t1_map", "k", Smooth(1000), [1000]);
        cache.Put<float>("other", "k", Smooth(1000), [1000]);

        Assert.Single(_dir.SegmentFiles(), f => f.EndsWith(".zseg", StringComparison.Ordinal));
    }

    [Fact]
    public void TogglingCompressionBetweenSessions_ReadsBothKinds_AndAPutReplacesTheOtherKind()
    {
        using (var plain = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            plain.Put<float>("t", "raw", Smooth(5000), [5000]);
            plain.Put<float>("t", "both", [1f], [1]);
        }

        using (var compressing = Open())
        {
            compressing.Put<float>("t", "zipped", Smooth(7000), [7000]);
            compressing.Put<float>("t", "both", [2f], [1]); // replaces the raw file with a compressed one
            AssertReads(compressing, "raw", Smooth(5000), "t");
        }

        using var plainAgain = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        AssertReads(plainAgain, "raw", Smooth(5000), "t");
        AssertReads(plainAgain, "zipped", Smooth(7000), "t");
        AssertReads(plainAgain, "both", [2f], "t");
        Assert.Equal(3, _dir.SegmentFiles().Length);
        plainAgain.Put<float>("t", "both", [3f], [1]);
        Assert.Equal(3, _dir.SegmentFiles().Length);
        AssertReads(plainAgain, "both", [3f], "t");
        plainAgain.Invalidate("t", "zipped");
        Assert.Equal(2, _dir.SegmentFiles().Length);
    }

    [Fact]
    public void Create_WithCompression_CommitsACompressedFile()
    {
        using (var cache = Open())
        {
            using MappedArrayWriter<float> writer = cache.Create<float>("t1_map", "k", [300, 1000]);
            Smooth(300_000).CopyTo(writer.Span);
            using MappedArray<float> committed = writer.Commit();
            Assert.Equal(Smooth(300_000), committed.ReadOnlySpan.ToArray());
        }

        Assert.EndsWith(".zseg", Assert.Single(_dir.SegmentFiles()), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        using var reader = Open();
        AssertReads(reader, "k", Smooth(300_000), "t1_map");
    }

    [Fact]
    public void CompressedEntry_IsReadByASecondProcess()
    {
        float[] data = new float[400_000];
        TestChild.Patterns.Fill(data, 2);
        using (var cache = Open())
        {
            cache.Put<float>("dce", "k", data, [400_000]);
        }

        using var child = ChildProcess.Start("sum", _dir.CachePath, "dce", "k");
        string line = child.WaitForLine("sum=");

        Assert.Contains("whole=True", line, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"sum={data.Sum(v => (double)v):R}"), line, StringComparison.Ordinal);
    }

    private IntermediateCache Open() => new(_dir.Config(RetentionPolicy.Persistent) with { Compression = true });

    private static void AssertReads<T>(IntermediateCache cache, string key, T[] expected, string type = "p")
        where T : unmanaged
    {
        using MappedArray<T> array = cache.Get<T>(type, key)!;
        Assert.Equal(expected, array.ReadOnlySpan.ToArray());
    }

    private static float[] Smooth(int length) => Values(length, i => MathF.Round(1000 + (100 * MathF.Sin(i * 0.0001f))));

    private static T[] Values<T>(int length, Func<int, T> value) => [.. Enumerable.Range(0, length).Select(value)];
}
