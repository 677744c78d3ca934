using System.Globalization;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Native;

/// <summary>.NET and Python (python/osipy_mappedcache over libosipy_mappedcache.so) on one cache directory.</summary>
[Collection(NativeCollection.Name)]
public sealed class PythonInteropTests(NativeLibraryFixture native) : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DotNetPuts256MB4DArray_PythonGetsItZeroCopy()
    {
        const int Elements = 256 * 256 * 16 * 64; // 256 MiB of float32
        var data = new float[Elements];
        TestChild.Patterns.Fill(data, 3);
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("dce", "k", data, [256, 256, 16, 64]);
        }

        data = [];
        (int exit, string output) = native.RunPython(
            """
            import sys, numpy as np, osipy_mappedcache as oc
            def rss():
                fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
                return int(fields["RssAnon"].split()[0]), int(fields["RssFile"].split()[0])
            cache = oc.IntermediateCache(oc.CacheConfig(cache_dir=sys.argv[1], default_policy=oc.RetentionPolicy.PERSISTENT))
            anon0, file0 = rss()
            a = cache.get("dce", "k")
            total = float(a.sum(dtype=np.float64))
            anon1, file1 = rss()
            assert a.shape == (256, 256, 16, 64) and a.dtype == np.float32, (a.shape, a.dtype)
            assert not a.flags.writeable and not a.flags.owndata
            expected = (3 + (np.arange(a.size) % 1024) / np.float32(1024)).astype(np.float32).reshape(a.shape)
            assert np.array_equal(a, expected)
            print(f"anonKb={anon1 - anon0} fileKb={file1 - file0} sum={total}")
            """,
            _dir.CachePath);

        Assert.True(exit == 0, output);
        Dictionary<string, string> result = output.Trim().Split(' ').Select(p => p.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        long anonKb = long.Parse(result["anonKb"], CultureInfo.InvariantCulture);
        long fileKb = long.Parse(result["fileKb"], CultureInfo.InvariantCulture);
        TestContext.Current.TestOutputHelper?.WriteLine($"python RssAnon growth {anonKb} KiB, RssFile growth {fileKb} KiB for 262144 KiB");
        Assert.True(anonKb < 262_144 / 20, $"Python's private memory grew by {anonKb} KiB for a 262,144 KiB array");
        Assert.True(fileKb > 262_144 * 9 / 10, $"only {fileKb} KiB of file pages were mapped");
    }

    [Fact]
    public void PythonPuts_DotNetGets_ArraysBundlesAndMetadata()
    {
        (int exit, string output) = native.RunPython(
            """
            import sys, numpy as np, osipy_mappedcache as oc
            cache = oc.IntermediateCache(oc.CacheConfig(cache_dir=sys.argv[1], default_policy=oc.RetentionPolicy.PERSISTENT))
            cache.put("t1_map", "k", np.arange(24, dtype=np.float64).reshape(2, 3, 4), metadata={"units": "ms", "flip": [2, 15]})
            cache.put("pk", "k", {"ktrans": np.full((3, 3), 0.25, dtype=np.float32), "mask": np.array([1, 0, 1], dtype=np.uint8)})
            cache.put("t", "strided", np.arange(20, dtype=np.int16)[::2])
            cache.close()
            print("ok")
            """,
            _dir.CachePath);
        Assert.True(exit == 0, output);

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<double> t1 = cache.Get<double>("t1_map", "k")!;
        Assert.Equal([2, 3, 4], t1.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (double)i), t1.ReadOnlySpan.ToArray());
        Assert.Equal("ms", t1.Entry.Metadata["units"]);
        Assert.Equal(new object?[] { 2L, 15L }, (object?[])t1.Entry.Metadata["flip"]!);
        using MappedBundle pk = cache.GetBundle("pk", "k")!;
        Assert.Equal(["ktrans", "mask"], pk.Keys);
        Assert.All(pk.Get<float>("ktrans").ReadOnlySpan.ToArray(), v => Assert.Equal(0.25f, v));
        Assert.Equal([1, 0, 1], pk.Get<byte>("mask").ReadOnlySpan.ToArray());
        using MappedArray<short> strided = cache.Get<short>("t", "strided")!;
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (short)(2 * i)), strided.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void PythonOnOneNode_DotNetAndPythonOnOthers_ShareAResultThroughARealCluster()
    {
        using var cluster = new RedisClusterFixture();
        if (cluster.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        using var nodeB = new TempCacheDirectory();
        using var nodeC = new TempCacheDirectory();
        string prefix = "py" + Guid.NewGuid().ToString("N")[..10];
        (int exit, string output) = native.RunPython(
            """
            import sys, numpy as np, osipy_mappedcache as oc
            config = oc.CacheConfig(cache_dir=sys.argv[1], default_policy=oc.RetentionPolicy.PERSISTENT, redis=sys.argv[2], redis_key_prefix=sys.argv[3])
            with oc.IntermediateCache(config) as cache:
                cache.put("t1_map", "subject-07", np.arange(3_000_000, dtype=np.float32).reshape(1000, 3000))
                assert cache.get_stats()["remote_errors"] == 0, cache.get_stats()
            print("ok")
            """,
            _dir.CachePath, cluster.Configuration, prefix);
        Assert.True(exit == 0, output);

        using (var tier = new Osipy.MappedCache.Redis.RedisRemoteTier(new Osipy.MappedCache.Redis.RedisRemoteTierOptions { Configuration = cluster.Configuration, KeyPrefix = prefix }))
        using (var cache = new IntermediateCache(nodeB.Config(RetentionPolicy.Persistent) with { Remote = tier }))
        using (MappedArray<float> got = cache.Get<float>("t1_map", "subject-07")!)
        {
            Assert.Equal([1000, 3000], got.Shape);
            Assert.Equal(2_999_999f, got.ReadOnlySpan[^1]);
            Assert.Equal(1, cache.GetStats().RemoteHits);
        }

        (exit, output) = native.RunPython(
            """
            import sys, numpy as np, osipy_mappedcache as oc
            config = oc.CacheConfig(cache_dir=sys.argv[1], default_policy=oc.RetentionPolicy.PERSISTENT, redis=sys.argv[2], redis_key_prefix=sys.argv[3])
            def fill(array):
                raise AssertionError("another node computed it: fill must not run")
            with oc.IntermediateCache(config) as cache:
                a = cache.get_or_create("t1_map", "subject-07", (1000, 3000), np.float32, fill)
                assert np.array_equal(a, np.arange(3_000_000, dtype=np.float32).reshape(1000, 3000))
                assert cache.get_stats()["remote_hits"] == 1, cache.get_stats()
            print("ok")
            """,
            nodeC.CachePath, cluster.Configuration, prefix);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void SeedBehaviour_ThroughThePythonPackage()
    {
        (int exit, string output) = native.RunPython(
            "import sys, unittest; r = unittest.main(module=None, argv=['x', 'discover', '-s', sys.argv[1], '-t', sys.argv[1]], exit=False).result; sys.exit(0 if r.wasSuccessful() and r.testsRun > 0 else 1)",
            Path.Combine(native.PythonPackageRoot, "tests"));

        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(exit == 0, output);
    }
}
