using Microsoft.Extensions.Logging;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Legacy;

/// <summary>
/// <see cref="CacheConfig.LegacyOsipyDir"/>: a miss falls back to the file osipy's own cache wrote
/// for the key (written here by osipy's code with numpy), which is stored by a put and returned;
/// a file of another type is never returned, and a bad one is a counted, logged miss that stores nothing.
/// </summary>
public sealed class LegacyOsipyTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _dir.Dispose();

    private string OsipyDir => Path.Combine(_dir.Root, "osipy_cache");

    private IntermediateCache Open(RetentionPolicy policy = RetentionPolicy.Persistent, long maxAgeSeconds = 3600) =>
        new(_dir.Config(policy, maxAgeSeconds: maxAgeSeconds) with { LegacyOsipyDir = OsipyDir }, TimeProvider.System, _log);

    private string[] Warnings() => [.. _log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message)];

    [Fact]
    public void Get_AnArrayOsipyWrote_CompressedOrNot_CAndFortranOrder_IsAHitWithNumpysValues()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("t1_map", "compressed", np.arange(24, dtype=np.float64).reshape(2, 3, 4))
            put("t1_map", "stored", np.arange(24, dtype=np.int16).reshape(4, 6), compression=False)
            put("t1_map", "fortran", np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))
            put("t1_map", "scalar", np.array(7.5))
            """);
        using IntermediateCache cache = Open();

        using MappedArray<double> compressed = cache.Get<double>("t1_map", "compressed")!;
        using MappedArray<short> stored = cache.Get<short>("t1_map", "stored")!;
        using MappedArray<float> fortran = cache.Get<float>("t1_map", "fortran")!;
        using MappedArray<double> scalar = cache.Get<double>("t1_map", "scalar")!;

        Assert.Equal([2, 3, 4], compressed.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (double)i), compressed.ReadOnlySpan.ToArray());
        Assert.Equal([4, 6], stored.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (short)i), stored.ReadOnlySpan.ToArray());
        Assert.Equal([2, 3, 4], fortran.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), fortran.ReadOnlySpan.ToArray()); // numpy's index order, not the file's
        Assert.Empty(scalar.Shape);
        Assert.Equal(7.5, scalar.ReadOnlySpan[0]);
        Assert.Empty(Warnings());
    }

    [Fact]
    public void GetBundle_DictDataOsipyWrote_IsABundleOfItsArraysInOrder()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("fit", "s1", {
                "ktrans": np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4),
                "ve": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4)),
                "mask": np.arange(12).reshape(3, 4) % 2 == 0,
            })
            """);
        using IntermediateCache cache = Open();

        using MappedBundle bundle = cache.GetBundle("fit", "s1")!;

        Assert.Equal(["ktrans", "ve", "mask"], bundle.Keys);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i / 11f), bundle.Get<float>("ktrans").ReadOnlySpan.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (double)i), bundle.Get<double>("ve").ReadOnlySpan.ToArray());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 2 == 0), bundle.Get<bool>("mask").ReadOnlySpan.ToArray());
        Assert.Equal([3, 4], bundle["ve"].Shape);
    }

    [Fact]
    public void TheEntry_KeepsOsipysMetadataWithItsTypes_AndItsCreationTime()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("t1_map", "k", np.zeros(3, np.float32), created_at=1700000000.25, metadata={
                "tr": 4.5, "n": 12, "flip": 2.0, "name": "VFA", "ok": True, "none": None,
                "list": [1, 2.5, "x"], "nested": {"a": 1}})
            """);
        using IntermediateCache cache = Open(maxAgeSeconds: 0);

        using MappedArray<float> got = cache.Get<float>("t1_map", "k")!;

        IReadOnlyDictionary<string, object?> metadata = got.Entry.Metadata;
        Assert.Equal(4.5, Assert.IsType<double>(metadata["tr"]));
        Assert.Equal(12L, Assert.IsType<long>(metadata["n"]));
        Assert.Equal(2.0, Assert.IsType<double>(metadata["flip"])); // a float stays a float, integral or not
        Assert.Equal("VFA", metadata["name"]);
        Assert.Equal(true, metadata["ok"]);
        Assert.Null(metadata["none"]);
        Assert.Equal([1L, 2.5, "x"], Assert.IsType<object?[]>(metadata["list"]));
        Assert.Equal(1L, Assert.IsType<Dictionary<string, object?>>(metadata["nested"])["a"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), got.Entry.CreatedAt);
    }

    [Fact]
    public void Get_WhereTheKeysFileHoldsAnotherResultType_IsAMiss_NeverThatFile()
    {
        OsipyCacheFiles.Write(OsipyDir, """put("t1_map", "k", np.ones(4))""");
        File.Copy(OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "k"), OsipyCacheFiles.PathOf(OsipyDir, "r1_map", "k"));
        using IntermediateCache cache = Open();

        Assert.Null(cache.Get<double>("r1_map", "k"));

        Assert.Empty(_dir.SegmentFiles());
        Assert.Contains(Warnings(), w => w.Contains("holds result type 't1_map', not 'r1_map'", StringComparison.Ordinal));
        using MappedArray<double> right = cache.Get<double>("t1_map", "k")!; // the same file, asked for as its own type
        Assert.Equal([1.0, 1.0, 1.0, 1.0], right.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void AnObjectArrayOrATextValue_IsACountedMiss_WithTheReasonLogged_AndNothingStored()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("t1_map", "objects", np.array([{"a": 1}, None], dtype=object))
            put("fit", "text", {"ktrans": np.zeros(3), "model": "tofts"})
            """);
        using IntermediateCache cache = Open();

        Assert.Null(cache.Get<double>("t1_map", "objects"));
        Assert.Null(cache.GetBundle("fit", "text"));

        Assert.Equal(2, cache.GetStats().Misses);
        Assert.Empty(_dir.SegmentFiles());
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        Assert.Contains(Warnings(), w => w.Contains("object array", StringComparison.Ordinal) && w.Contains("never unpickled", StringComparison.Ordinal));
        Assert.Contains(Warnings(), w => w.Contains("data_model.npy", StringComparison.Ordinal) && w.Contains("'<U5'", StringComparison.Ordinal));
    }

    [Fact]
    public void AMalformedFile_IsACountedMiss_WithTheReasonLogged_AndNothingStored()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("t", "stored", np.arange(4096, dtype=np.float64), compression=False)
            put("t", "whole", np.arange(4096, dtype=np.float64))
            """);
        byte[] stored = File.ReadAllBytes(OsipyCacheFiles.PathOf(OsipyDir, "t", "stored"));
        stored[stored.Length / 2] ^= 0xFF; // inside data.npy's payload: the CRC-32 no longer matches
        File.WriteAllBytes(OsipyCacheFiles.PathOf(OsipyDir, "t", "stored"), stored);
        byte[] whole = File.ReadAllBytes(OsipyCacheFiles.PathOf(OsipyDir, "t", "whole"));
        File.WriteAllBytes(OsipyCacheFiles.PathOf(OsipyDir, "t", "truncated"), whole[..(whole.Length / 2)]);
        File.WriteAllText(OsipyCacheFiles.PathOf(OsipyDir, "t", "garbage"), "not a zip at all");
        using IntermediateCache cache = Open();

        foreach (string key in new[] { "stored", "truncated", "garbage" })
        {
            Assert.Null(cache.Get<double>("t", key));
        }

        Assert.Equal(3, cache.GetStats().Misses);
        Assert.Empty(_dir.SegmentFiles());
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        Assert.Equal(3, Warnings().Length);
        Assert.Contains(Warnings(), w => w.Contains("CRC-32", StringComparison.Ordinal));
        Assert.All(Warnings(), w => Assert.Contains(OsipyDir, w)); // each names the file
    }

    [Fact]
    public void ASymlinkOrAFifoAtTheKeysName_IsAMiss_NeitherFollowedNorWaitedOn()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            import os
            good = put("t1_map", "elsewhere", np.ones(2))
            os.symlink(good, cache_dir / f"{hashlib.md5(b't1_map:linked').hexdigest()}.npz")
            os.mkfifo(cache_dir / f"{hashlib.md5(b't1_map:fifo').hexdigest()}.npz")
            """);
        using IntermediateCache cache = Open();

        Assert.Null(cache.Get<double>("t1_map", "linked"));
        Assert.Null(cache.Get<double>("t1_map", "fifo")); // a blocking open would never return

        Assert.Empty(_dir.SegmentFiles());
        Assert.Contains(Warnings(), w => w.Contains("symbolic link", StringComparison.Ordinal));
        Assert.Contains(Warnings(), w => w.Contains("not a regular file", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileOfAnotherUser_IsAMiss()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("Needs root to give a file to another user (chown).");
        }

        OsipyCacheFiles.Write(OsipyDir, """put("t1_map", "planted", np.ones(2))""");
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534", OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "planted")]))
        {
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }

        using IntermediateCache cache = Open();

        Assert.Null(cache.Get<double>("t1_map", "planted"));
        Assert.Contains(Warnings(), w => w.Contains("owned by uid 65534", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileOlderThanMaxAge_IsAMiss()
    {
        OsipyCacheFiles.Write(OsipyDir, """put("t1_map", "old", np.ones(2), created_at=time.time() - 7200)""");
        using IntermediateCache cache = Open(maxAgeSeconds: 3600);

        Assert.Null(cache.Get<double>("t1_map", "old"));
        Assert.Empty(_dir.SegmentFiles());
        Assert.Contains(_log.Entries, e => e.Message.Contains("has expired", StringComparison.Ordinal)); // found, and left for its age
    }

    [Fact]
    public void TheSecondGet_IsServedFromTheCache_AndTheEntryOutlivesOsipysFile()
    {
        OsipyCacheFiles.Write(OsipyDir, """put("t1_map", "k", np.full((2, 2), 3.0))""");
        using (IntermediateCache cache = Open())
        {
            cache.Get<double>("t1_map", "k")!.Dispose();
            File.Delete(OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "k"));

            using MappedArray<double> again = cache.Get<double>("t1_map", "k")!;
            Assert.Equal([3.0, 3.0, 3.0, 3.0], again.ReadOnlySpan.ToArray());
            Assert.Equal(2, cache.GetStats().Hits);
            Assert.Single(_dir.SegmentFiles());
        }

        using var later = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)); // no legacy directory: a PERSISTENT entry now
        Assert.True(later.Has("t1_map", "k"));
    }

    [Fact]
    public void GetOrCreateAndHas_FindOsipysFile_WithoutComputing()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("conc", "a", np.arange(6, dtype=np.float32).reshape(2, 3))
            put("conc", "b", np.ones(2, np.float32))
            """);
        using IntermediateCache cache = Open(RetentionPolicy.Cached);

        using MappedArray<float> made = cache.GetOrCreate<float>("conc", "a", [2, 3], _ => Assert.Fail("osipy's file was there"));

        Assert.Equal([0f, 1, 2, 3, 4, 5], made.ReadOnlySpan.ToArray());
        Assert.True(cache.Has("conc", "b"));
        Assert.Equal(RetentionPolicy.Cached, cache.GetEntry("conc", "b")!.Policy); // stored under the type's policy
        Assert.False(cache.Has("conc", "c"));
    }

    [Fact]
    public void ImportOsipyFile_StoresItUnderTheKeyGiven_AndRefusesAnotherType()
    {
        OsipyCacheFiles.Write(OsipyDir, """put("t1_map", "osipy-key", np.arange(3, dtype=np.float64), metadata={"te": 2.5})""");
        string file = OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "osipy-key");
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));

        CacheEntry entry = cache.ImportOsipyFile(file, "t1_map", "subject-01")!;
        InvalidDataException wrongType = Assert.Throws<InvalidDataException>(() => cache.ImportOsipyFile(file, "r1_map", "subject-01"));

        Assert.Equal([3], entry.Shape);
        Assert.Equal(2.5, entry.Metadata["te"]);
        using MappedArray<double> got = cache.Get<double>("t1_map", "subject-01")!;
        Assert.Equal([0.0, 1.0, 2.0], got.ReadOnlySpan.ToArray());
        Assert.Contains("holds result type 't1_map'", wrongType.Message, StringComparison.Ordinal);
        Assert.Null(cache.GetEntry("r1_map", "subject-01"));
    }
}
