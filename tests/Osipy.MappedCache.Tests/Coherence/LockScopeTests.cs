using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>
/// The table's lock covers no I/O: a thread held inside a slow first get (opening, mapping,
/// decompressing) never stalls another thread's hits, and a second first get of the same key
/// waits for the first instead of loading it again.
/// </summary>
public sealed class LockScopeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HitsOnAMappedKey_Complete_WhileAnotherThreadIsInsideASlowFirstGet()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t", "hot", TestData.Ramp(1000), [1000]);
            writer.Put<float>("t", "slow", TestData.Ramp(1000, 7), [1000]);
        }

        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int slowLoads = 0;
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent), null, null, beforeMap: (_, key) =>
        {
            if (key == "slow")
            {
                Interlocked.Increment(ref slowLoads);
                inside.Set();
                release.Wait(Patience);
            }
        });
        cache.Get<float>("t", "hot")!.Dispose(); // mapped and held

        MappedArray<float>? first = null, second = null;
        var firstGet = new Thread(() => first = cache.Get<float>("t", "slow"));
        firstGet.Start();
        Assert.True(inside.Wait(Patience, TestContext.Current.CancellationToken), "the first get never reached its slow path");
        var secondGet = new Thread(() => second = cache.Get<float>("t", "slow"));
        secondGet.Start();

        // The first get is parked in its slow path: every other key stays usable meanwhile.
        Exception? othersFailed = null;
        var others = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 10_000; i++)
                {
                    using MappedArray<float> hit = cache.Get<float>("t", "hot")!;
                    Assert.Equal(999 * 0.5f, hit.ReadOnlySpan[999]);
                }

                cache.Put<float>("t", "other", [1f], [1]);
                Assert.True(cache.Has("t", "other"));
                Assert.Equal(0, cache.GetStats().Misses);
            }
            catch (Exception ex)
            {
                othersFailed = ex;
            }
        });
        others.Start();
        bool othersFinished = others.Join(Patience);
        bool secondWaited = secondGet.IsAlive;

        release.Set();
        firstGet.Join();
        secondGet.Join();
        Assert.True(othersFinished, "hits on a mapped key stalled behind a slow first get of another key");
        Assert.Null(othersFailed);
        Assert.True(secondWaited, "the second first get of the same key did not wait for the first");
        using (first)
        using (second)
        {
            Assert.Equal(1, slowLoads); // loaded once for both
            Assert.Same(first!.Mapping, second!.Mapping);
            Assert.Equal(7f, first.ReadOnlySpan[0]);
        }
    }
}
