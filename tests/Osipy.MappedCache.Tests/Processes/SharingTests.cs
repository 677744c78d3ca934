using System.Globalization;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>Another process reads the same pages: no private copy, and unlinked segments stay readable.</summary>
public sealed class SharingTests : IDisposable
{
    private const int Elements = 64 * 1024 * 1024; // 256 MiB of float32
    private const long ArrayKb = Elements * 4L / 1024;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ChildMapsAndSums256MBArray_WithoutGrowingItsPrivateMemory()
    {
        float[] data = new float[Elements];
        TestChild.Patterns.Fill(data, 3);
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("dce", "k", data, [256, 256, 16, 64]);
        }

        double expected = data.Sum(v => (double)v);
        data = [];

        using var child = ChildProcess.Start("sum", _dir.CachePath, "dce", "k");
        Dictionary<string, string> result = Parse(child.WaitForLine("sum="));
        Assert.Equal(0, child.WaitForExit());

        Assert.Equal(expected, double.Parse(result["sum"], CultureInfo.InvariantCulture));
        Assert.Equal("True", result["whole"]);
        long anonKb = long.Parse(result["anonKb"], CultureInfo.InvariantCulture);
        long fileKb = long.Parse(result["fileKb"], CultureInfo.InvariantCulture);
        TestContext.Current.TestOutputHelper?.WriteLine($"child RssAnon growth {anonKb} KiB, RssFile growth {fileKb} KiB, for a {ArrayKb} KiB array");
        Assert.True(anonKb < ArrayKb / 20, $"private memory grew by {anonKb} KiB for a {ArrayKb} KiB array");
        Assert.True(fileKb > ArrayKb * 9 / 10, $"only {fileKb} KiB of the {ArrayKb} KiB array were file pages");
    }

    [Fact]
    public void Prefault_ReadsThePagesInAtGet()
    {
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("dce", "k", new float[Elements / 4], [Elements / 4]);
        }

        using var lazy = ChildProcess.Start("sum", _dir.CachePath, "dce", "k");
        long lazyMappedKb = long.Parse(Parse(lazy.WaitForLine("sum="))["mappedFileKb"], CultureInfo.InvariantCulture);
        using var eager = ChildProcess.Start("sum", _dir.CachePath, "dce", "k", "--prefault");
        long eagerMappedKb = long.Parse(Parse(eager.WaitForLine("sum="))["mappedFileKb"], CultureInfo.InvariantCulture);

        Assert.True(lazyMappedKb < ArrayKb / 4 / 10, $"without prefault, {lazyMappedKb} KiB were resident right after get");
        Assert.True(eagerMappedKb > ArrayKb / 4 * 9 / 10, $"with prefault, only {eagerMappedKb} KiB were resident right after get");
    }

    [Fact]
    public void CachedSegmentOfAnEndedOwner_StaysReadableForItsReader_AndLeavesTheDirectory()
    {
        var owner = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        float[] data = new float[100_000];
        TestChild.Patterns.Fill(data, 9);
        owner.Put<float>("dce", "k", data, [100_000]);

        using var reader = ChildProcess.Start("sum", _dir.CachePath, "dce", "k", "--wait");
        reader.WaitForLine("mapped");
        owner.Dispose();
        Assert.Empty(_dir.SegmentFiles());
        reader.Send("go");

        Dictionary<string, string> result = Parse(reader.WaitForLine("sum="));
        Assert.Equal("True", result["whole"]);
        Assert.Equal(data.Sum(v => (double)v), double.Parse(result["sum"], CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("invalidate")]
    [InlineData("replace")]
    [InlineData("clear")]
    [InlineData("expire")]
    [InlineData("evict")]
    public void WhatOneProcessRemoves_NeverDisturbsAReaderInAnother(string removal)
    {
        var clock = new ManualClock();
        float[] data = new float[200_000];
        TestChild.Patterns.Fill(data, 5);
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxMemoryMb: 1, maxAgeSeconds: 60), clock);
        cache.Put<float>("dce", "k", data, [200_000]);

        using var reader = ChildProcess.Start("sum", _dir.CachePath, "dce", "k", "--wait");
        reader.WaitForLine("mapped");
        switch (removal)
        {
            case "invalidate":
                cache.Invalidate("dce", "k");
                break;
            case "replace":
                cache.Put<float>("dce", "k", new float[10], [10]);
                break;
            case "clear":
                cache.Clear();
                break;
            case "expire":
                clock.Advance(TimeSpan.FromMinutes(2));
                Assert.Null(cache.Get<float>("dce", "k"));
                break;
            case "evict":
                cache.Get<float>("dce", "k")!.Dispose();
                cache.Put<float>("dce", "other", new float[300_000], [300_000]);
                cache.Get<float>("dce", "other")!.Dispose();
                Assert.Equal(1, cache.GetStats().Evictions);
                break;
        }

        reader.Send("go");

        Dictionary<string, string> result = Parse(reader.WaitForLine("sum="));
        Assert.Equal(0, reader.WaitForExit());
        Assert.Equal("True", result["whole"]);
        Assert.Equal(data.Sum(v => (double)v), double.Parse(result["sum"], CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, string> Parse(string line) =>
        line.Split(' ').Select(part => part.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
}
