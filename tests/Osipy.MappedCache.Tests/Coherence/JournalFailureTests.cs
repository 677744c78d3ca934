using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>A journal line that could not be written is not counted as written.</summary>
public sealed class JournalFailureTests
{
    [Fact]
    public void TempFile_InADirectoryWhoseFirstJournalLineFailed_IsStillReclaimedAfterAKill()
    {
        using SmallTmpfs? tmpfs = SmallTmpfs.TryMount(4, out string whyNot);
        if (tmpfs is null)
        {
            Assert.Skip(whyNot);
        }

        string cacheDir = Path.Combine(tmpfs.Path, "cache");
        using var child = ChildProcess.Start("create-after-full-disk", cacheDir, "1024");
        child.WaitForLine("opened");

        string filler = Path.Combine(tmpfs.Path, "filler");
        FillDisk(filler);
        child.Send("go");
        Assert.StartsWith("first create failed: IOException", child.WaitForLine("first create"));

        File.Delete(filler);
        child.Send("go");
        child.WaitForLine("ready");
        Assert.NotEmpty(Directory.GetFiles(cacheDir, ".tmp-*", SearchOption.AllDirectories));
        child.KillHard();

        using var cache = new IntermediateCache(new CacheConfig { CacheDir = cacheDir });
        Assert.Empty(Directory.GetFiles(cacheDir, ".tmp-*", SearchOption.AllDirectories));
        Assert.Equal(1, cache.LastReclaim.TempFiles);
    }

    private static void FillDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // full
        }

        // One byte at a time fills the last partial page too.
        try
        {
            while (true)
            {
                stream.WriteByte(1);
                stream.Flush();
            }
        }
        catch (IOException)
        {
        }
    }
}
