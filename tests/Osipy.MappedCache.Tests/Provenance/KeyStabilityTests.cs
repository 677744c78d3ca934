using System.Numerics;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>What changes a provenance key and what does not: values by their exact bits, dictionaries in any order, clear refusals.</summary>
public sealed class KeyStabilityTests
{
    [Fact]
    public void DictionaryOrder_DoesNotChangeTheKey()
    {
        var forward = new Dictionary<string, object?> { ["te"] = 0.002, ["tr"] = 0.005, ["model"] = "vfa" };
        var backward = new SortedDictionary<string, object?>(StringComparer.Create(System.Globalization.CultureInfo.InvariantCulture, ignoreCase: true)) { ["model"] = "vfa", ["tr"] = 0.005, ["te"] = 0.002 };

        Assert.Equal(Key("fit", forward), Key("fit", backward));
    }

    [Fact]
    public void NegativeZero_AndZero_MakeDifferentKeys() =>
        Assert.NotEqual(Key("fit", 0.0), Key("fit", -0.0));

    [Fact]
    public void AnInteger_AndTheSameFloat_MakeDifferentKeys() =>
        Assert.NotEqual(Key("fit", 1), Key("fit", 1.0));

    [Fact]
    public void IntegersOfEveryWidth_AreTheSameNumber()
    {
        string key = Key("fit", 7);

        Assert.All(new object[] { (byte)7, (short)7, 7L, 7UL, (Int128)7, new BigInteger(7) }, value => Assert.Equal(key, Key("fit", value)));
    }

    [Fact]
    public void AnUnsupportedType_IsRefused_NamingTheArgument()
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => ProvenanceKey.For("fit").Argument("clock", TimeProvider.System));

        Assert.Contains("clock", refused.Message, StringComparison.Ordinal);
        Assert.Contains("TimeProvider", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonStringDictionaryKey_IsRefused_NamingTheArgument()
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => ProvenanceKey.For("fit").Argument("table", new Dictionary<int, double> { [1] = 2.0 }));

        Assert.Contains("table", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComponentNames_AreOrderedByTheirUtf8Bytes_AsPythonOrdersThem()
    {
        string[] names = ["b", "\uE000", "\U0001F600", "a", "é", "ab"];
        ProvenanceKeyBuilder builder = ProvenanceKey.For("fit");
        foreach (string name in names)
        {
            builder.Argument(name, 1);
        }

        string[] expected = [.. names.Select(n => "argument " + n).OrderBy(n => System.Text.Encoding.UTF8.GetBytes(n), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))];
        Assert.Equal(expected, builder.Build().Components.Keys);
    }

    private static string Key(string function, object? value) => ProvenanceKey.For(function).Argument("p", value).Build().Key;
}
