using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>Several processes, several threads each, on one small key set.</summary>
public sealed class MultiProcessConcurrencyTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TwoProcessesTimesFourThreads_EveryHitIsWhole_NothingLeftBehind()
    {
        using var first = ChildProcess.Start("hammer", _dir.CachePath, "400", "4", "1");
        using var second = ChildProcess.Start("hammer", _dir.CachePath, "400", "4", "2");

        List<string> firstOutput = first.ReadToEnd();
        List<string> secondOutput = second.ReadToEnd();

        Assert.True(first.WaitForExit() == 0, string.Join(Environment.NewLine, firstOutput) + first.Stderr);
        Assert.True(second.WaitForExit() == 0, string.Join(Environment.NewLine, secondOutput) + second.Stderr);
        Assert.Contains("ok", firstOutput);
        Assert.Contains("ok", secondOutput);
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        Assert.Empty(_dir.SegmentFiles());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.CachePath, "sessions")));
    }
}
