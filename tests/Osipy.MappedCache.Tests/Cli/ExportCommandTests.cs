using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// <c>osipy-cache export</c>'s failures in the caller's words: an existing file is kept unless
/// --force says otherwise, a write that fails names the file asked for (never the temporary one it
/// is written through), and an array NIfTI-1 cannot hold is refused with the reason.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public ExportCommandTests()
    {
        using var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        writer.Put<float>("t1_map", "big", new float[512 * 1024], [512, 1024]); // 2 MiB
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Export_OntoAnExistingFile_RefusesNamingItAndForce_AndForceReplacesIt()
    {
        string target = Path.Combine(_dir.Root, "t1.npy");
        File.WriteAllText(target, "an earlier result");

        (int exit, string output, string error) = OsipyCacheTool.Run("export", "t1_map", "big", target, "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains($"{target} exists", error, StringComparison.Ordinal);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal("an earlier result", File.ReadAllText(target));

        (exit, output, error) = OsipyCacheTool.Run("export", "t1_map", "big", target, "--force", "--cache-dir", _dir.CachePath);
        Assert.True(exit == 0, error + output);
        Assert.Equal((512 * 1024 * 4) + 128, new FileInfo(target).Length);
    }

    [Fact]
    public void Export_BeyondTheFileSizeLimit_NamesTheTargetFileAndTheReason_NotItsTemporary_AndLeavesNothing()
    {
        // A limit stops root too, where a read-only directory would not; with SIGXFSZ ignored the write
        // fails with EFBIG. 1 MiB leaves room for the cache's own 512 KiB table, and the runtime starts
        // under a limit only without its W^X double mapping.
        string target = Path.Combine(_dir.Root, "out", "t1.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        (int exit, string output, string error) = OsipyCacheTool.RunInShell("trap '' XFSZ; ulimit -f 1024; export DOTNET_EnableWriteXorExecute=0", "export", "t1_map", "big", target, "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains($"cannot write {target}: File too large", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!));
    }

    [Fact]
    public void Export_IntoAPathWhoseParentIsAFile_NamesTheTargetFile_NotItsTemporary()
    {
        string notADirectory = Path.Combine(_dir.Root, "results");
        File.WriteAllText(notADirectory, "a file");
        string target = Path.Combine(notADirectory, "t1.nii.gz");

        (int exit, string output, string error) = OsipyCacheTool.Run("export", "t1_map", "big", target, "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains($"cannot write {target}", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportToNifti_OfA0dOrEmptyArray_SaysWhyInTheCallersWords_AndWritesNothing()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "x", [42f], []);
            writer.Put<float>("t1_map", "empty", [], [3, 0]);
        }

        foreach ((string key, string why) in new[] { ("x", "t1_map/x is a 0-d array"), ("empty", "t1_map/empty is empty (shape 3x0)") })
        {
            string target = Path.Combine(_dir.Root, key + ".nii");
            (int exit, string output, string error) = OsipyCacheTool.Run("export", "t1_map", key, target, "--cache-dir", _dir.CachePath);

            Assert.True(exit == 1, error + output);
            Assert.Contains("NIfTI-1 needs 1 to 7 dimensions of 1 to 32767 voxels", error, StringComparison.Ordinal);
            Assert.Contains(why, error, StringComparison.Ordinal);
            Assert.Contains("export it as .npy", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Parameter", error, StringComparison.Ordinal);
            Assert.False(File.Exists(target));
            Assert.Equal(0, OsipyCacheTool.Run("export", "t1_map", key, Path.Combine(_dir.Root, key + ".npy"), "--cache-dir", _dir.CachePath).ExitCode);
        }
    }
}
