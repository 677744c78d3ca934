using System.Text.Json;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary><c>osipy-cache rm --tag</c> erases a subject; <c>ls</c> and <c>show</c> list an entry's tags.</summary>
public sealed class TagCommandTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LsAndShow_ListTags_AndRmTag_RemovesEveryEntryCarryingIt()
    {
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            cache.Put<float>("dce", "sub-07", [1f], [1], tags: ["subject:07", "study:dce-2026"]);
            cache.Put<float>("t1_map", "sub-07", [2f], [1], tags: ["subject:07"]);
            cache.Put<float>("dce", "sub-08", [3f], [1], tags: ["subject:08"]);
        }

        JsonElement listing = OsipyCacheTool.Json("ls", "--cache-dir", _dir.CachePath);
        Dictionary<string, string[]> tags = listing.GetProperty("entries").EnumerateArray().ToDictionary(
            entry => $"{entry.GetProperty("type").GetString()}/{entry.GetProperty("key").GetString()}",
            entry => entry.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()!).ToArray());
        Assert.Equal(["subject:07", "study:dce-2026"], tags["dce/sub-07"]);
        Assert.Equal(["subject:08"], tags["dce/sub-08"]);
        (int exit, string shown, string error) = OsipyCacheTool.Run("show", "dce", "sub-07", "--cache-dir", _dir.CachePath);
        Assert.True(exit == 0, error);
        Assert.Contains("subject:07, study:dce-2026", shown, StringComparison.Ordinal);

        JsonElement removed = OsipyCacheTool.Json("rm", "--tag", "subject:07", "--cache-dir", _dir.CachePath);

        Assert.Equal(2, removed.GetProperty("entries").GetInt32());
        string[] left = [.. OsipyCacheTool.Json("ls", "--cache-dir", _dir.CachePath).GetProperty("entries").EnumerateArray().Select(entry => entry.GetProperty("key").GetString()!)];
        Assert.Equal(["sub-08"], left);
    }

    [Fact]
    public void Rm_WithBothAKeyAndATag_OrWithNeither_SaysWhatItTakes()
    {
        (int exit, _, string error) = OsipyCacheTool.Run("rm", "dce", "k", "--tag", "subject:07", "--cache-dir", _dir.CachePath);
        Assert.Equal(1, exit);
        Assert.Contains("not both", error, StringComparison.Ordinal);

        (exit, _, error) = OsipyCacheTool.Run("rm", "--cache-dir", _dir.CachePath);
        Assert.Equal(1, exit);
        Assert.Contains("--tag TAG", error, StringComparison.Ordinal);
    }
}
