using System.Text.Json;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.Tests.Legacy;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// <c>osipy-cache import</c> of a .npz that osipy's own cache wrote (by osipy's code, with numpy):
/// an array or a dict becomes an entry under the --type and --key given; a file of another type or
/// holding pickled objects is a failure that names the file and stores nothing.
/// </summary>
public sealed class OsipyNpzImportTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string OsipyDir => Path.Combine(_dir.Root, "osipy_cache");

    [Fact]
    public void Import_AnOsipyArrayOrDict_StoresItUnderTheKeyGiven_WithItsMetadata()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("t1_map", "subject-01", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)), metadata={"te": 2.5})
            put("fit", "subject-01", {"ktrans": np.ones(3), "ve": np.zeros(3, np.float32)})
            """);

        JsonElement array = OsipyCacheTool.Json("import", OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "subject-01"), "--type", "t1_map", "--key", "subject-01", "--cache-dir", _dir.CachePath);
        JsonElement dict = OsipyCacheTool.Json("import", OsipyCacheFiles.PathOf(OsipyDir, "fit", "subject-01"), "--type", "fit", "--key", "subject-01", "--cache-dir", _dir.CachePath);

        Assert.Equal("osipy-npz", array.GetProperty("format").GetString());
        Assert.Equal("float32", array.GetProperty("dtype").GetString());
        Assert.Equal([2, 3], array.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(["ktrans", "ve"], dict.GetProperty("arrays").EnumerateArray().Select(n => n.GetString()));
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> t1 = cache.Get<float>("t1_map", "subject-01")!;
        Assert.Equal([0f, 1, 2, 3, 4, 5], t1.ReadOnlySpan.ToArray());
        Assert.Equal(2.5, t1.Entry.Metadata["te"]);
        using MappedBundle fit = cache.GetBundle("fit", "subject-01")!;
        Assert.Equal([1.0, 1.0, 1.0], fit.Get<double>("ktrans").ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Import_UnderAnotherKeyThanOsipysFileName_NotesIt_AndStillImports()
    {
        OsipyCacheFiles.Write(OsipyDir, """put("t1_map", "subject-01", np.ones(2))""");

        (int exit, _, string error) = OsipyCacheTool.Run("import", OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "subject-01"), "--type", "t1_map", "--key", "subject-02", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 0, error);
        Assert.Contains("note: osipy keeps 't1_map:subject-02' in", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_OfAnotherTypeOrOfPickledObjects_FailsWithTheReason_AndStoresNothing()
    {
        OsipyCacheFiles.Write(OsipyDir,
            """
            put("t1_map", "k", np.ones(2))
            put("t1_map", "objects", np.array([None, {"a": 1}], dtype=object))
            """);

        (int wrongType, _, string wrongTypeError) = OsipyCacheTool.Run("import", OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "k"), "--type", "r1_map", "--key", "k", "--cache-dir", _dir.CachePath);
        (int pickled, _, string pickledError) = OsipyCacheTool.Run("import", OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "objects"), "--type", "t1_map", "--key", "objects", "--cache-dir", _dir.CachePath);

        Assert.Equal(1, wrongType);
        Assert.Contains(Path.GetFileName(OsipyCacheFiles.PathOf(OsipyDir, "t1_map", "k")), wrongTypeError, StringComparison.Ordinal);
        Assert.Contains("holds result type 't1_map', not 'r1_map'", wrongTypeError, StringComparison.Ordinal);
        Assert.Equal(1, pickled);
        Assert.Contains("object array", pickledError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", pickledError); // a message, not a stack trace
        Assert.Empty(_dir.SegmentFiles());
    }
}
