using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>
/// The disk budget under load from several processes at once: 3 processes × 4 threads putting
/// 1–32 MiB arrays, PERSISTENT and CACHED, on keys they share, under MaxDiskMb = 256 for 20 s.
/// The directory never holds more than the budget plus one entry being written, every get is a
/// whole array or a miss, and the entries used last survive the evictions that follow.
/// </summary>
public sealed class DiskBudgetSoakTests : IDisposable
{
    private const int BudgetMb = 256;
    private const int Seconds = 20;
    private const long OneEntry = (32L * 1024 * 1024) + (64 * 1024); // the largest put, its first page and record

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ThreeProcessesOfFourThreads_StayWithinTheBudget_AndEveryGetIsWholeOrAMiss()
    {
        new IntermediateCache(_dir.Config()).Dispose(); // the directory, its locks/ and type layout exist from here
        var stores = new[] { new SegmentStore(_dir.CachePath) };
        string budgetLock = Path.Combine(_dir.CachePath, KeyLocks.DirectoryName, "budget.lock");
        long largest = 0, samples = 0;
        using var stop = new CancellationTokenSource();
        using var changed = new AutoResetEvent(false);
        using var watcher = new FileSystemWatcher(_dir.CachePath) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName };
        watcher.Created += (_, _) => changed.Set();
        watcher.EnableRaisingEvents = true;
        var monitor = new Thread(() =>
        {
            // After each file made in the directory (a write's reservation), count it as the budget
            // does, holding the budget's lock: no write reserves and nothing is evicted meanwhile,
            // so the count is one state of the directory, not a mix of several (a listing that walks
            // two type directories while a writer evicts from one and creates in the other would
            // count both files).
            while (WaitHandle.WaitAny([changed, stop.Token.WaitHandle]) == 0)
            {
                using (LockedFile.Open(budgetLock))
                {
                    largest = Math.Max(largest, DiskUsage.List(stores).Sum(file => file.Bytes));
                }

                samples++;
            }
        });
        monitor.Start();

        var children = Enumerable.Range(1, 3)
            .Select(seed => ChildProcess.Start("budget-soak", _dir.CachePath, $"{Seconds}", "4", $"{seed}", $"{BudgetMb}"))
            .ToList();
        var results = new List<string>();
        try
        {
            children.ForEach(child => child.WaitForLine("stopped", TimeSpan.FromSeconds(Seconds + 120)));
            foreach (ChildProcess child in children)
            {
                child.Send("marker"); // one process at a time puts its marker: the last entries used
                results.Add(child.WaitForLine("ok", TimeSpan.FromSeconds(60)));
                Assert.Equal(0, child.WaitForExit());
            }
        }
        finally
        {
            stop.Cancel();
            monitor.Join();
            children.ForEach(child => child.Dispose());
        }

        Assert.True(largest <= (BudgetMb * 1024L * 1024) + OneEntry, $"the directory held {largest} bytes, over {BudgetMb} MiB plus one entry ({samples} samples)");
        Assert.True(samples > 50, $"only {samples} samples of the directory were taken");
        Assert.All(results, line => Assert.Matches(@"^ok puts=[1-9]\d* hits=[1-9]\d* misses=\d+$", line));
        long left = DiskUsage.List(stores).Sum(file => file.Bytes);
        Assert.InRange(left, 0, BudgetMb * 1024L * 1024);

        // Seven more 32 MiB entries from another process: the soak's entries make room, least
        // recently used first, and the markers, used after all of them, survive.
        using var next = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0) with { MaxDiskMb = BudgetMb });
        for (int i = 0; i < 7; i++)
        {
            next.Put<float>("p", $"after-{i}", new float[8 * 1024 * 1024], [8 * 1024 * 1024]);
        }

        for (int seed = 1; seed <= 3; seed++)
        {
            using MappedArray<float> marker = next.Get<float>("p", $"marker-{seed}")!;
            Assert.Equal(seed, marker.ReadOnlySpan[0]);
        }

        Assert.All(Enumerable.Range(0, 7), i => Assert.True(next.Has("p", $"after-{i}")));
        Assert.InRange(DiskUsage.List(stores).Sum(file => file.Bytes), 0, BudgetMb * 1024L * 1024);
    }
}
