using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>
/// 3 processes x 4 threads (each thread its own session, replaced now and then) on a small key set
/// of every kind and policy, one process SIGKILLed midway: no torn or foreign array is ever read,
/// nothing unexpected is thrown, and after one reclaim only PERSISTENT entries remain.
/// </summary>
public sealed class SoakTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ThreeProcessesTimesFourThreads_AllKindsAndPolicies_NothingTornNothingLeftButPersistent()
    {
        // Bounded in time (12 s) and in count (4000 operations per thread).
        using var first = ChildProcess.Start("soak", _dir.CachePath, "4", "12", "4000", "1");
        using var second = ChildProcess.Start("soak", _dir.CachePath, "4", "12", "4000", "2");
        using var killed = ChildProcess.Start("soak", _dir.CachePath, "4", "12", "4000", "3");
        killed.WaitForLine("progress 1000");
        killed.KillHard(); // in the middle of whatever it was doing

        List<string> firstOutput = first.ReadToEnd(TimeSpan.FromSeconds(90));
        List<string> secondOutput = second.ReadToEnd(TimeSpan.FromSeconds(90));
        Assert.True(first.WaitForExit() == 0, string.Join(Environment.NewLine, firstOutput.Where(l => !l.StartsWith("progress", StringComparison.Ordinal))) + first.Stderr);
        Assert.True(second.WaitForExit() == 0, string.Join(Environment.NewLine, secondOutput.Where(l => !l.StartsWith("progress", StringComparison.Ordinal))) + second.Stderr);
        Assert.Contains(firstOutput, l => l.StartsWith("done ", StringComparison.Ordinal) && l.Contains("failures=0", StringComparison.Ordinal));
        Assert.Contains(secondOutput, l => l.StartsWith("done ", StringComparison.Ordinal) && l.Contains("failures=0", StringComparison.Ordinal));

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        // The killed process's sessions were reclaimed by the survivors' new sessions or by this one.
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.CachePath, "sessions"), "*.session")); // this session's
        foreach (string file in _dir.SegmentFiles())
        {
            string type = Path.GetFileName(Path.GetDirectoryName(file)!)[..2];
            Assert.True(type is "p-" or "z-", $"{file} is left, but only PERSISTENT types (p, z) may be");
        }

        VerifyReport report = cache.VerifyAll();
        Assert.Empty(report.Corrupt);
        Assert.Equal(_dir.SegmentFiles().Length, report.Checked);
    }
}
