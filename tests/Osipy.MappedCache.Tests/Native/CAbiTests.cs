using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Native;

/// <summary>C and .NET on one cache directory, through libosipy_mappedcache.so (examples/roundtrip.c).</summary>
[Collection(NativeCollection.Name)]
public sealed class CAbiTests(NativeLibraryFixture native) : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DotNetPuts_CGets_SameValues()
    {
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("t", "from-dotnet", TestData.Ramp(1000), [10, 100]);
        }

        (int exit, string output) = NativeLibraryFixture.Run(RoundTrip(), _dir.Root, "get", _dir.CachePath, "t", "from-dotnet");

        Assert.True(exit == 0, output);
        Assert.Equal($"dtype=1 shape=10,100 sum={TestData.Ramp(1000).Sum(v => (double)v):F1}", output.Trim());
    }

    [Fact]
    public void CPuts_DotNetGets_SameValuesAndMetadata()
    {
        (int exit, string output) = NativeLibraryFixture.Run(RoundTrip(), _dir.Root, "put", _dir.CachePath, "t", "from-c", "5000");
        Assert.True(exit == 0, output);

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> array = cache.Get<float>("t", "from-c")!;

        Assert.Equal(TestData.Ramp(5000), array.ReadOnlySpan.ToArray());
        Assert.Equal("c", array.Entry.Metadata["writer"]);
    }

    [Fact]
    public void CCreatesInPlace_DotNetAndPythonReadIt()
    {
        (int exit, string output) = NativeLibraryFixture.Run(RoundTrip(), _dir.Root, "create", _dir.CachePath, "t", "created", "300", "40");
        Assert.True(exit == 0, output);

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> array = cache.Get<float>("t", "created")!;
        Assert.Equal([300, 40], array.Shape);
        Assert.Equal(299 * 40 + 39, array.AsSpan2D()[299, 39]);
        Assert.Equal("c-create", array.Entry.Metadata["writer"]);

        (exit, output) = native.RunPython(
            """
            import sys, numpy as np, osipy_mappedcache as oc
            cache = oc.IntermediateCache(oc.CacheConfig(cache_dir=sys.argv[1], default_policy=oc.RetentionPolicy.PERSISTENT))
            a = cache.get("t", "created")
            assert a.shape == (300, 40) and a.dtype == np.float32, (a.shape, a.dtype)
            assert np.array_equal(a, np.arange(300 * 40, dtype=np.float32).reshape(300, 40))
            cache.close()
            print("ok")
            """,
            _dir.CachePath);
        Assert.True(exit == 0, output);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public void CacheDirWithTilde_IsInTheHomeDirectory_NotUnderTheWorkingDirectory()
    {
        string home = Path.Combine(_dir.Root, "home");
        string work = Path.Combine(_dir.Root, "work");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(work);

        (int exit, string output) = NativeLibraryFixture.Run(RoundTrip(), work, ["put", "~/osipy-cache", "t", "k", "10"], ("HOME", home));

        Assert.True(exit == 0, output);
        Assert.Single(Directory.GetFiles(Path.Combine(home, "osipy-cache"), "*.npy", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public void BadInputAtTheBoundary_GivesErrorCodes_AndTheProcessLives()
    {
        (int exit, string output) = NativeLibraryFixture.Run(RoundTrip(), _dir.Root, "boundary", _dir.CachePath);

        Assert.True(exit == 0, output);
        Dictionary<string, int> codes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=')).ToDictionary(kv => kv[0], kv => int.Parse(kv[1]));
        const int Ok = 0, Miss = 1, InvalidArgument = 2, TypeMismatch = 3, BadHandle = 6;
        Assert.Equal(BadHandle, codes["null_handle"]);
        Assert.Equal(BadHandle, codes["unknown_handle"]);
        Assert.Equal(InvalidArgument, codes["null_key"]);
        Assert.Equal(InvalidArgument, codes["null_data"]);
        Assert.Equal(InvalidArgument, codes["ndim_negative"]);
        Assert.Equal(Ok, codes["scalar_put"]);
        Assert.Equal(Ok, codes["scalar_get"]);
        Assert.Equal(0, codes["scalar_ndim"]);
        Assert.Equal(InvalidArgument, codes["ndim_33"]);
        Assert.Equal(InvalidArgument, codes["negative_dim"]);
        Assert.Equal(InvalidArgument, codes["unknown_dtype"]);
        Assert.Equal(InvalidArgument, codes["bad_metadata"]);
        Assert.Equal(InvalidArgument, codes["bad_utf8"]);
        Assert.Equal(InvalidArgument, codes["null_out"]);
        Assert.Equal(Miss, codes["miss"]);
        Assert.Equal(Ok, codes["put_ok"]);
        Assert.Equal(Ok, codes["get_ok"]);
        Assert.Equal(Ok, codes["release_once"]);
        Assert.Equal(BadHandle, codes["release_twice"]);
        Assert.Equal(TypeMismatch, codes["bundle_of_single"]);
        Assert.Equal(Ok, codes["close"]);
        Assert.Equal(BadHandle, codes["use_after_close"]);
        Assert.Equal(BadHandle, codes["close_twice"]);
        Assert.Equal(1, codes["alive"]);
    }

    private string RoundTrip() =>
        native.CompileC(Path.Combine(native.RepositoryRoot, "src", "Osipy.MappedCache.Native", "examples", "roundtrip.c"), _dir.Root);
}
