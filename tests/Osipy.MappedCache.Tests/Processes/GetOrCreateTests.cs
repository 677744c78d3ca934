using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>GetOrCreate on one node: threads of several sessions and several processes compute a key once.</summary>
public sealed class GetOrCreateTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ManyThreadsOfTwoSessions_FillOnce_AndAllReadTheSameArray()
    {
        using var first = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var second = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        int fills = 0;
        var results = new float[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            IntermediateCache cache = i % 2 == 0 ? first : second;
            using MappedArray<float> array = cache.GetOrCreate<float>("p", "k", [1000], writer =>
            {
                Interlocked.Increment(ref fills);
                TestData.Ramp(1000, 9).CopyTo(writer.Span);
            });
            results[i] = array.ReadOnlySpan.ToArray();
        });

        Assert.Equal(1, fills);
        Assert.All(results, r => Assert.Equal(TestData.Ramp(1000, 9), r));
    }

    [Fact]
    public void AFillThatThrows_PublishesNothing_AndTheNextCallerComputes()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Throws<InvalidOperationException>(() => cache.GetOrCreate<float>("p", "k", [4], _ => throw new InvalidOperationException("fit diverged")));
        Assert.Empty(_dir.SegmentFiles());

        using MappedArray<float> array = cache.GetOrCreate<float>("p", "k", [4], writer => writer.Span.Fill(2f));
        Assert.Equal([2f, 2f, 2f, 2f], array.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void AnEntryOfAnotherShape_IsRefused_NotReturned()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put<float>("p", "k", [1f, 2f, 3f, 4f], [4]);

        ArgumentException refused = Assert.Throws<ArgumentException>(() => cache.GetOrCreate<float>("p", "k", [2, 2], _ => { }));
        Assert.Contains("(4)", refused.Message, StringComparison.Ordinal);
        using MappedArray<float> same = cache.GetOrCreate<float>("p", "k", [4], _ => throw new InvalidOperationException("a hit never fills"));
        Assert.Equal(4f, same.ReadOnlySpan[3]);
    }

    [Fact]
    public void FourProcesses_OneFills_TheOthersWaitAndMapItsResult()
    {
        var children = Enumerable.Range(0, 4).Select(_ => ChildProcess.Start("get-or-create", _dir.CachePath, "shared")).ToList();
        try
        {
            ChildProcess filler = StartedThenFiller(children);
            filler.Send("go");
            List<string> results = [.. children.Select(c => c.WaitForLine("result"))];

            Assert.Single(results, r => r.Contains("filled=True", StringComparison.Ordinal));
            Assert.All(results, r => Assert.Contains("whole=True stamp=42", r, StringComparison.Ordinal));
            Assert.Single(_dir.SegmentFiles());
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Waits until every child has started and one of them is inside its fill; returns that one.</summary>
    internal static ChildProcess StartedThenFiller(IReadOnlyList<ChildProcess> children)
    {
        foreach (ChildProcess child in children)
        {
            child.WaitForLine("started");
        }

        for (int round = 0; round < 300; round++)
        {
            foreach (ChildProcess child in children)
            {
                if (child.TryWaitForLine("filling", TimeSpan.FromMilliseconds(100), out _))
                {
                    return child;
                }
            }
        }

        throw new TimeoutException("No process started to fill.");
    }
}
