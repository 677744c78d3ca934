using Osipy.MappedCache.Provenance;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>A function's code identity: its IL and its helpers', token-free; comments never count, constants and helpers do.</summary>
public sealed class CodeIdentityTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void IdenticalBodies_WithDifferentCommentsAndBlankLines_HaveTheSameCodeDigest() =>
        Assert.Equal(CodeDigest(nameof(Plain)), CodeDigest(nameof(Commented)));

    [Fact]
    public void AChangedConstant_ChangesTheCodeDigest() =>
        Assert.NotEqual(CodeDigest(nameof(Plain)), CodeDigest(nameof(OtherConstant)));

    [Fact]
    public void AMethodOfTheSameAssemblyItCalls_IsAHelperComponent()
    {
        ProvenanceKey key = ProvenanceKey.For("fit").Code(typeof(CodeIdentityTests).GetMethod(nameof(CallsHelper), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!).Build();

        Assert.Contains($"helper {nameof(CodeIdentityTests)}.{nameof(Plain)}", key.Components.Keys);
        Assert.DoesNotContain(key.Components.Keys, name => name.Contains("Math", StringComparison.Ordinal));
    }

    [Fact]
    public void ASecondKeyOfTheSameMethod_ReadsNoIl()
    {
        System.Reflection.MethodInfo method = typeof(CodeIdentityTests).GetMethod(nameof(CallsHelper), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        string first = ProvenanceKey.For("fit").Code(method).Build().Key;
        int walks = CodeIdentity.Walks;

        string second = ProvenanceKey.For("fit").Code(method).Build().Key;

        Assert.Equal(first, second);
        Assert.Equal(walks, CodeIdentity.Walks);
    }

    [Fact]
    public void AChangedHelperBody_ChangesTheKey_AndExplainNamesTheHelper()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        ProvenanceKey before = ProvenanceKey.For("fit_t1").Code(EmittedFits.FitT1(signalOffset: 1.0)).Argument("te", 0.002).Build();
        ProvenanceKey after = ProvenanceKey.For("fit_t1").Code(EmittedFits.FitT1(signalOffset: 1.5)).Argument("te", 0.002).Build();
        cache.Put<float>("t1_map", before, [1f, 2f], [2]);

        ExplainResult explained = cache.Explain("t1_map", after);

        Assert.NotEqual(before.Key, after.Key);
        Assert.Equal(before.Components["code fit_t1"], after.Components["code fit_t1"]);
        Assert.False(explained.Hit);
        Assert.Equal(before.Key, explained.NearestKey);
        Assert.Equal(["code of fit_t1 changed (helper Fits.Signal)"], explained.Changed);
    }

    private static string CodeDigest(string method) =>
        ProvenanceKey.For("f").Code(typeof(CodeIdentityTests).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!).Build().Components["code f"].Digest;

    private static double Plain(double x) => (x * 3.0) + 1.0;

    private static double Commented(double x)
    {
        // The same arithmetic, written with comments and blank lines.

        return (x * 3.0) /* slope */ + 1.0;
    }

    private static double OtherConstant(double x) => (x * 3.0) + 1.5;

    private static double CallsHelper(double x) => Math.Sqrt(Plain(x));
}
