using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>A session's file is locked before any other process can see its name.</summary>
public sealed class SessionRegistrationTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OpeningSessions_WhileAnotherProcessReclaimsInALoop_NeverFails_AndLiveSessionsKeepTheirFiles()
    {
        using (new IntermediateCache(_dir.Config()))
        {
        }

        using var reclaimer = ChildProcess.Start("reclaim-loop", _dir.CachePath, "20000");
        reclaimer.WaitForLine("started");
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, worker =>
        {
            for (int i = 0; i < 1500; i++)
            {
                try
                {
                    using var cache = new IntermediateCache(_dir.Config());
                    cache.Put<float>("t", $"k{worker}", [i], [1]);
                    if (!cache.Has("t", $"k{worker}"))
                    {
                        failures.Enqueue($"worker {worker}, session {i}: its CACHED entry was reclaimed while it was alive");
                    }
                }
                catch (IOException ex)
                {
                    failures.Enqueue($"worker {worker}, session {i}: {ex.Message}");
                }
            }
        });

        reclaimer.Send("stop");
        Assert.True(reclaimer.WaitForExit() == 0, reclaimer.Stderr);
        Assert.Empty(failures);
    }
}
