using System.Runtime.CompilerServices;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Mapping;

/// <summary>
/// A get's lease is the array itself: a hit makes one object, and the array's reference on the
/// mapping is counted exactly, however many threads take and give back leases at once.
/// </summary>
public sealed class HitLeaseTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Get_OnAHit_AllocatesOnlyTheArray()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t1_map", "k", TestData.Ramp(1000), [10, 100]);
        for (int i = 0; i < 10; i++)
        {
            cache.Get<float>("t1_map", "k")!.Dispose(); // the first maps it; the rest warm the hit path
        }

        _ = RuntimeHelpers.GetUninitializedObject(typeof(MappedArray<float>));
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = RuntimeHelpers.GetUninitializedObject(typeof(MappedArray<float>));
        long oneArray = GC.GetAllocatedBytesForCurrentThread() - before;

        const int Hits = 100;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Hits; i++)
        {
            cache.Get<float>("t1_map", "k")!.Dispose();
        }

        long perHit = (GC.GetAllocatedBytesForCurrentThread() - before) / Hits;
        Assert.Equal(oneArray, perHit);
    }

    [Fact]
    public void Dispose_GivesBackTheArraysReference_OnceHoweverOftenCalled()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t1_map", "k", TestData.Ramp(1000), [1000]);
        MappedArray<float> first = cache.Get<float>("t1_map", "k")!;
        using MappedArray<float> second = cache.Get<float>("t1_map", "k")!;
        Assert.Same(first.Mapping, second.Mapping);
        Assert.Equal(2, first.Mapping.LeaseCount);

        first.Dispose();
        first.Dispose();

        Assert.Equal(1, second.Mapping.LeaseCount);
        Assert.True(first.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => first.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => first.Memory.Span.Length);
        Assert.Equal(TestData.Ramp(1000), second.ReadOnlySpan.ToArray());
    }

    [Fact]
    public async Task HitsFromManyThreads_WhileTheKeyIsReplaced_EachReadAWholeValue_AndLeaveNoLeaseBehind()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t1_map", "k", Filled(0, 4096), [4096]);
        var torn = new List<string>();
        var mappings = new HashSet<object>(ReferenceEqualityComparer.Instance);
        int writing = 1;
        using var readersStarted = new CountdownEvent(4);

        // Threads of their own (LongRunning), so the readers run while the writer replaces the key.
        Task[] readers = [.. Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            readersStarted.Signal();
            for (int i = 0; i < 1_000_000 && (Volatile.Read(ref writing) == 1 || i < 1000); i++) // bounded; as long as the writer runs
            {
                using MappedArray<float> array = cache.Get<float>("t1_map", "k")!;
                ReadOnlySpan<float> values = array.ReadOnlySpan;
                if (values.IndexOfAnyExcept(values[0]) >= 0)
                {
                    lock (torn)
                    {
                        torn.Add($"mixed values under one lease, first {values[0]}");
                    }
                }

                lock (mappings)
                {
                    mappings.Add(array.Mapping);
                }
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        Task writer = Task.Factory.StartNew(() =>
        {
            readersStarted.Wait(TestContext.Current.CancellationToken);
            for (int version = 1; version <= 50; version++)
            {
                cache.Put<float>("t1_map", "k", Filled(version, 4096), [4096]);
            }

            Volatile.Write(ref writing, 0);
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await Task.WhenAll([writer, .. readers]);

        Assert.Empty(torn);
        Assert.True(mappings.Count > 1, "the readers saw the key replaced");
        Assert.All(mappings, m => Assert.Equal(0, ((Osipy.MappedCache.Mapping.SegmentMapping)m).LeaseCount));
        using MappedArray<float> last = cache.Get<float>("t1_map", "k")!;
        Assert.Equal(50f, last.ReadOnlySpan[0]);
    }

    private static float[] Filled(int value, int length) => Enumerable.Repeat((float)value, length).ToArray();
}
