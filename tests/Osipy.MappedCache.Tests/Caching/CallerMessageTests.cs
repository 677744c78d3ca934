using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>
/// What a C# caller reads: a disposed cache names <see cref="IntermediateCache"/> (never an
/// internal type) from every member, and an entry describes itself in one line.
/// </summary>
public sealed class CallerMessageTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Members() =>
    [
        "Get", "GetBundle", "GetEntry", "Has", "Put", "PutArray", "PutBundle", "Create", "GetOrCreate",
        "Invalidate", "InvalidateTag", "Clear", "Verify", "VerifyAll", "GetPolicy", "ReclaimDeadSessions",
        "ListSegments", "GetStats", "TrimToDiskBudget", "TryCopyTo",
    ];

    [Theory]
    [MemberData(nameof(Members))]
    public void EveryMemberOfADisposedCache_NamesIntermediateCache(string member)
    {
        var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [1f], [1]);
        cache.Dispose();

        Action call = member switch
        {
            "Get" => () => cache.Get<float>("t", "k"),
            "GetBundle" => () => cache.GetBundle("t", "k"),
            "GetEntry" => () => cache.GetEntry("t", "k"),
            "Has" => () => cache.Has("t", "k"),
            "Put" => () => cache.Put<float>("t", "k", [1f], [1]),
            "PutArray" => () => cache.Put("t", "k", new float[2, 2]),
            "PutBundle" => () => cache.Put("t", "k", new Dictionary<string, Array> { ["a"] = new float[1] }),
            "Create" => () => cache.Create<float>("t", "k", [4]).Dispose(),
            "GetOrCreate" => () => cache.GetOrCreate<float>("t", "k2", [4], _ => { }).Dispose(),
            "Invalidate" => () => cache.Invalidate("t", "k"),
            "InvalidateTag" => () => cache.InvalidateTag("x"),
            "Clear" => () => cache.Clear(),
            "Verify" => () => cache.Verify("t", "k"),
            "VerifyAll" => () => cache.VerifyAll(),
            "GetPolicy" => () => cache.GetPolicy("t"),
            "ReclaimDeadSessions" => () => cache.ReclaimDeadSessions(),
            "ListSegments" => () => cache.ListSegments(),
            "GetStats" => () => cache.GetStats(),
            "TrimToDiskBudget" => () => cache.TrimToDiskBudget(),
            "TryCopyTo" => () => cache.TryCopyTo<float>("t", "k", 0, new float[1]),
            _ => throw new ArgumentOutOfRangeException(nameof(member)),
        };

        ObjectDisposedException disposed = Assert.Throws<ObjectDisposedException>(call);
        Assert.Equal(typeof(IntermediateCache).FullName, disposed.ObjectName);
        Assert.DoesNotContain("Caching.", disposed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACacheEntry_DescribesItselfInOneLine()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put<float>("t1_map", "sub-01", new float[128 * 128 * 32], [128, 128, 32], tags: ["subject:01"]);
        cache.Put("tofts", "sub-01", new Dictionary<string, Array> { ["ktrans"] = new float[4], ["ve"] = new float[4] });

        string single = cache.GetEntry("t1_map", "sub-01")!.ToString();
        string bundle = cache.GetEntry("tofts", "sub-01")!.ToString();

        Assert.StartsWith("t1_map/sub-01: float32[128, 128, 32], 2.0 MiB, Persistent, created ", single, StringComparison.Ordinal);
        Assert.EndsWith(", tags [subject:01]", single, StringComparison.Ordinal);
        Assert.StartsWith("tofts/sub-01: {ktrans, ve}, 32 B, Persistent, created ", bundle, StringComparison.Ordinal);
    }
}
