using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>The quarantine is counted, bounded and cleared; VerifyAll counts what it checked.</summary>
public sealed class QuarantineAndVerifyTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void VerifyAll_WithoutProgress_CountsEveryFileChecked()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        for (int i = 0; i < 3; i++)
        {
            cache.Put<float>("t", $"k{i}", [i], [1]);
        }

        Assert.Equal(3, cache.VerifyAll().Checked);
    }

    [Fact]
    public void Quarantine_IsInTheStats_AndClearEmptiesIt()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put<float>("t", "k", TestData.Ramp(1000), [1000]);
        string path = SegmentPaths.Single(cache, "t", "k");
        long length = new FileInfo(path).Length;
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]); // truncated by one byte

        using var other = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Null(other.Get<float>("t", "k"));

        CacheStats stats = other.GetStats();
        Assert.Equal(1, stats.QuarantineFiles);
        Assert.Equal(length - 1, stats.QuarantineBytes);

        other.Clear();

        Assert.Empty(_dir.QuarantinedFiles());
        Assert.Equal(0, other.GetStats().QuarantineFiles);
        Assert.Equal(0, other.GetStats().QuarantineBytes);
    }

    [Fact]
    public void Quarantine_IsBounded_OldestFilesGoFirst()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { MaxQuarantineFiles = 3 });
        for (int i = 0; i < 6; i++)
        {
            cache.Put<float>("t", $"k{i}", [i], [1]);
            string path = SegmentPaths.Single(cache, "t", $"k{i}");
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]);
            using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { MaxQuarantineFiles = 3 });
            Assert.Null(reader.Get<float>("t", $"k{i}"));
        }

        Assert.Equal(3, _dir.QuarantinedFiles().Length);
        Assert.Equal(3, cache.GetStats().QuarantineFiles);
    }
}
