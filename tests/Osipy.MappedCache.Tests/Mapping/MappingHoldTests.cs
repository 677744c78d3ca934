using System.Globalization;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Mapping;

/// <summary>
/// A hold keeps a mapping for something attached to its pages (a CUDA host registration) and tells
/// its holder when the cache lets go, so the attachment is undone before the unmap, never after.
/// "Mapped" is read from /proc/self/maps, the kernel's own account.
/// </summary>
public sealed class MappingHoldTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Invalidate_TellsTheHolderOnce_WhileTheMappingIsStillMapped_AndUnmapsAfterTheHoldGoes()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", TestData.Ramp(100_000), [100_000]);
        var told = new List<(MappingHold Hold, bool MappedWhenTold)>();
        MappingHold hold;
        using (MappedArray<float> array = cache.Get<float>("t", "k")!)
        {
            hold = array.TryHoldMapping(h => told.Add((h, IsMapped(h.Address))))!;
        }

        Assert.True(IsMapped(hold.Address)); // the lease is gone; the cache and the hold keep it
        cache.Invalidate("t", "k");

        (MappingHold toldHold, bool mappedWhenTold) = Assert.Single(told);
        Assert.Same(hold, toldHold);
        Assert.True(mappedWhenTold);
        Assert.True(hold.IsLeaving);
        Assert.True(IsMapped(hold.Address)); // still held: the holder undoes its attachment first
        nint address = hold.Address;

        hold.Dispose();

        Assert.False(IsMapped(address));
        Assert.Single(told);
    }

    [Fact]
    public void GetsOfOneEntry_ShareOneMapping_SoOneAttachmentServesThemAll()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", TestData.Ramp(10_000), [10_000]);
        using MappedArray<float> first = cache.Get<float>("t", "k")!;
        using MappedArray<float> second = cache.Get<float>("t", "k")!;
        using MappingHold hold = first.TryHoldMapping(_ => { })!;
        using MappingHold again = second.TryHoldMapping(_ => { })!;

        Assert.Equal(hold.Address, again.Address);
        Assert.Equal(hold.Length, again.Length);
        Assert.Equal("r--s", Permissions(hold.Address)); // shared, read-only: pinning copies no page
        Assert.Equal(first.ReadOnlySpan.ToArray(), ReadThrough(hold, first));
        Assert.Equal(0, hold.Address % Environment.SystemPageSize);
        Assert.True(hold.Length >= first.SizeBytes);
    }

    [Fact]
    public void AddressOf_AnArrayOfAnotherMapping_IsRefused()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "a", [1], [1]);
        cache.Put<int>("t", "b", [2], [1]);
        using MappedArray<int> a = cache.Get<int>("t", "a")!, b = cache.Get<int>("t", "b")!;
        using MappingHold hold = a.TryHoldMapping(_ => { })!;

        Assert.Throws<ArgumentException>(() => hold.AddressOf(b));
    }

    [Fact]
    public void CacheDispose_TellsEveryHolder()
    {
        var cache = new IntermediateCache(_dir.Config());
        var holds = new List<MappingHold>();
        var told = new List<MappingHold>();
        for (int i = 0; i < 5; i++)
        {
            cache.Put<int>("t", $"k{i}", [i], [1]);
            using MappedArray<int> array = cache.Get<int>("t", $"k{i}")!;
            holds.Add(array.TryHoldMapping(h => { lock (told) { told.Add(h); } })!);
        }

        cache.Dispose();

        Assert.Equal(holds.ToHashSet(), told.ToHashSet());
        Assert.All(holds, hold => Assert.True(IsMapped(hold.Address)));
        List<nint> addresses = holds.ConvertAll(hold => hold.Address);
        holds.ForEach(hold => hold.Dispose());
        Assert.All(addresses, address => Assert.False(IsMapped(address)));
    }

    [Fact]
    public void TheMappingLimit_UnmappingAnEntry_TellsItsHolder()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { MaxMappedSegments = 2 });
        cache.Put<int>("t", "held", [1], [1]);
        bool told = false;
        MappingHold hold;
        using (MappedArray<int> array = cache.Get<int>("t", "held")!)
        {
            hold = array.TryHoldMapping(_ => told = true)!;
        }

        for (int i = 0; i < 4; i++)
        {
            cache.Put<int>("t", $"k{i}", [i], [1]);
            cache.Get<int>("t", $"k{i}")!.Dispose();
        }

        Assert.True(told);
        hold.Dispose();
        using MappedArray<int> again = cache.Get<int>("t", "held")!; // mapped anew, holdable anew
        using MappingHold second = again.TryHoldMapping(_ => { })!;
        Assert.False(second.IsLeaving);
    }

    [Fact]
    public void AHoldReleasedFirst_IsNotCalledBack_AndTheUnmapWaitsForNothing()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "k", [1, 2, 3], [3]);
        bool told = false;
        nint address;
        using (MappedArray<int> array = cache.Get<int>("t", "k")!)
        {
            using MappingHold hold = array.TryHoldMapping(_ => told = true)!;
            address = hold.Address;
        }

        cache.Invalidate("t", "k");

        Assert.False(told);
        Assert.False(IsMapped(address));
    }

    [Fact]
    public void ALeaseWhoseMappingTheCacheHasLetGo_CannotBeHeld()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "k", [1, 2, 3], [3]);
        using MappedArray<int> array = cache.Get<int>("t", "k")!;
        cache.Invalidate("t", "k");

        Assert.Null(array.TryHoldMapping(_ => throw new InvalidOperationException("never called")));
        Assert.Equal([1, 2, 3], array.ReadOnlySpan.ToArray()); // the lease reads on as before
    }

    [Fact]
    public void ACallbackThatThrows_DoesNotStopTheCacheTellingTheOthers()
    {
        var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "a", [1], [1]);
        cache.Put<int>("t", "b", [2], [1]);
        using MappedArray<int> a = cache.Get<int>("t", "a")!, b = cache.Get<int>("t", "b")!;
        using MappingHold throwing = a.TryHoldMapping(_ => throw new InvalidOperationException("holder's bug"))!;
        bool told = false;
        using MappingHold fine = b.TryHoldMapping(_ => told = true)!;

        cache.Dispose();

        Assert.True(told);
        Assert.True(throwing.IsLeaving);
    }

    [Fact]
    public void ADisposedLease_CannotBeHeld_AndANullCallbackIsRefused()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "k", [1], [1]);
        MappedArray<int> array = cache.Get<int>("t", "k")!;

        Assert.Throws<ArgumentNullException>(() => array.TryHoldMapping(null!));
        array.Dispose();
        Assert.Throws<ObjectDisposedException>(() => array.TryHoldMapping(_ => { }));
    }

    [Fact]
    public async Task HoldsTakenWhileOtherThreadsReplaceTheEntry_AreEachToldOnceOrReleasedFirst_AndNothingStaysMapped()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "k", [0], [1]);
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<MappingHold, int>();
        var releasedFirst = new System.Collections.Concurrent.ConcurrentDictionary<MappingHold, bool>();
        var kept = new System.Collections.Concurrent.ConcurrentBag<MappingHold>();
        const int Rounds = 300;

        Task replacer = Task.Run(() =>
        {
            for (int i = 1; i <= Rounds; i++)
            {
                cache.Put<int>("t", "k", [i], [1]);
            }
        }, TestContext.Current.CancellationToken);
        Task[] holders = [.. Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                using MappedArray<int> array = cache.Get<int>("t", "k")!;
                MappingHold? hold = array.TryHoldMapping(h =>
                {
                    Assert.True(IsMapped(h.Address)); // told before the unmap, always
                    calls.AddOrUpdate(h, 1, (_, n) => n + 1);
                    h.Dispose();
                });
                if (hold is null)
                {
                    continue;
                }

                kept.Add(hold);
                if (i % 2 == 0)
                {
                    releasedFirst[hold] = true; // a holder letting go on its own, maybe racing the callback
                    hold.Dispose();
                }
            }
        }, TestContext.Current.CancellationToken))];
        await Task.WhenAll([replacer, .. holders]);
        cache.Invalidate("t", "k");

        Assert.All(kept, hold =>
        {
            int told = calls.GetValueOrDefault(hold);
            Assert.True(releasedFirst.ContainsKey(hold) ? told <= 1 : told == 1, $"told {told} times");
            Assert.True(hold.IsDisposed);
        });
        Assert.Contains(kept, hold => !releasedFirst.ContainsKey(hold));
        Assert.All(kept.Select(hold => hold.Address).Distinct(), address => Assert.False(IsMapped(address)));
    }

    /// <summary>The permissions column of /proc/self/maps for the mapping starting at <paramref name="address"/>.</summary>
    private static string Permissions(nint address)
    {
        string start = ((long)address).ToString("x", CultureInfo.InvariantCulture) + "-";
        return File.ReadLines("/proc/self/maps").Where(line => line.StartsWith(start, StringComparison.Ordinal)).Select(line => line.Split(' ')[1]).Single();
    }

    /// <summary>The array's values as the hold's range shows them, at the lease's offsets (copied out of /proc/self/mem, as a device would read them).</summary>
    private static float[] ReadThrough(MappingHold hold, MappedArray<float> array)
    {
        using var memory = new FileStream("/proc/self/mem", FileMode.Open, FileAccess.Read);
        memory.Seek((long)hold.AddressOf(array), SeekOrigin.Begin);
        byte[] bytes = new byte[array.SizeBytes];
        memory.ReadExactly(bytes);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>Whether a mapping of a file of this test's cache starts at <paramref name="address"/> in this process.</summary>
    private bool IsMapped(nint address)
    {
        string start = ((long)address).ToString("x", CultureInfo.InvariantCulture) + "-";
        return File.ReadLines("/proc/self/maps").Any(line => line.StartsWith(start, StringComparison.Ordinal) && line.Contains(_dir.CachePath, StringComparison.Ordinal));
    }
}
