using System.Text.Json;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary><c>osipy-cache gc</c> removes the records of fills in blocks nobody resumed for the retention, and only those.</summary>
public sealed class GcUnfinishedFillTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Gc_RemovesAnUnfinishedFillOlderThanADay_AndKeepsAYoungerOne()
    {
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            foreach (string key in new[] { "old", "young" })
            {
                Assert.Throws<InvalidOperationException>(() => cache.GetOrCreate<float>("p", key, [8, 4], 4, (index, _, _, block) =>
                {
                    block.Fill(index);
                    if (index == 2)
                    {
                        throw new InvalidOperationException("killed");
                    }
                }));
            }
        }

        string[] records = Directory.GetFiles(Path.Combine(_dir.CachePath, "unfinished"));
        Assert.Equal(2, records.Length);
        string old = records[0];
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow - TimeSpan.FromDays(2));

        JsonElement gc = OsipyCacheTool.Json("gc", "--cache-dir", _dir.CachePath);

        Assert.Equal(1, gc.GetProperty("unfinished_fills").GetInt32());
        Assert.Equal([records[1]], Directory.GetFiles(Path.Combine(_dir.CachePath, "unfinished")));
    }
}
