using System.Text.Json;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary><c>osipy-cache show</c> prints an entry's provenance; <c>osipy-cache explain</c> says how it differs from the function's other entries.</summary>
public sealed class ProvenanceCommandTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Show_PrintsTheFunctionAndEachComponentsNameAndText()
    {
        ProvenanceKey key = ProvenanceKey.For("fit_t1").Argument("flip_angles", new[] { 2, 5, 10, 15 }).Version("2").Build();
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("t1_map", key, [1f, 2f], [2]);
        }

        (int exit, string output, string error) = OsipyCacheTool.Run("show", "t1_map", key.Key, "--cache-dir", _dir.CachePath);
        JsonElement json = OsipyCacheTool.Json("show", "t1_map", key.Key, "--cache-dir", _dir.CachePath).GetProperty("provenance");

        Assert.True(exit == 0, error);
        Assert.Contains("provenance  fit_t1 (encoding 1)", output, StringComparison.Ordinal);
        Assert.Contains("argument flip_angles  [2, 5, 10, 15]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("osipy_provenance =", output, StringComparison.Ordinal);
        Assert.Equal("fit_t1", json.GetProperty("function").GetString());
        Assert.Equal(
            ["argument flip_angles", "version"],
            json.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(key.Components["version"].Digest, json.GetProperty("components")[1].GetProperty("digest").GetString());
    }

    [Fact]
    public void Explain_NamesTheNearestOtherEntryOfTheFunction_AndWhatDiffers()
    {
        ProvenanceKey old = ProvenanceKey.For("fit_t1").Argument("flip_angles", new[] { 2, 5, 10, 15 }).Build();
        ProvenanceKey current = ProvenanceKey.For("fit_t1").Argument("flip_angles", new[] { 2, 5, 10, 12 }).Build();
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("t1_map", old, [1f], [1]);
            cache.Put<float>("t1_map", current, [2f], [1]);
            cache.Put<float>("t1_map", "by-hand", [3f], [1]);
        }

        JsonElement explained = OsipyCacheTool.Json("explain", "t1_map", current.Key, "--cache-dir", _dir.CachePath);
        (int exit, string output, _) = OsipyCacheTool.Run("explain", "t1_map", current.Key, "--cache-dir", _dir.CachePath);

        Assert.True(explained.GetProperty("hit").GetBoolean());
        Assert.Equal(current.Key, explained.GetProperty("key").GetString());
        Assert.Equal("fit_t1", explained.GetProperty("function").GetString());
        Assert.Equal("[2, 5, 10, 12]", explained.GetProperty("components")[0].GetProperty("text").GetString());
        Assert.Equal(old.Key, explained.GetProperty("nearest").GetString());
        Assert.Equal(["argument flip_angles: [2, 5, 10, 15] → [2, 5, 10, 12]"], explained.GetProperty("changed").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(0, exit);
        Assert.Contains($"nearest other entry: {old.Key}", output, StringComparison.Ordinal);
        Assert.Contains("  argument flip_angles: [2, 5, 10, 15] → [2, 5, 10, 12]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_OfAKeyNotStored_ExitsOne_NamingTheFunctionsNewestEntry()
    {
        ProvenanceKey stored = ProvenanceKey.For("fit_t1").Argument("x", 1).Build();
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("t1_map", stored, [1f], [1]);
        }

        (int exit, string output, _) = OsipyCacheTool.Run("explain", "t1_map", "fit_t1@00000000000000000000000000000000", "--cache-dir", _dir.CachePath, "--json");
        JsonElement explained = JsonDocument.Parse(output).RootElement;

        Assert.Equal(1, exit);
        Assert.False(explained.GetProperty("hit").GetBoolean());
        Assert.Equal(stored.Key, explained.GetProperty("nearest").GetString());
        Assert.Equal(["no entry fit_t1@00000000000000000000000000000000 in t1_map"], explained.GetProperty("changed").EnumerateArray().Select(l => l.GetString()));
    }
}
