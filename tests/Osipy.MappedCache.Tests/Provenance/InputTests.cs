using Osipy.MappedCache.Provenance;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>An input that is a cache entry is keyed by its stored checksum, never by hashing its bytes.</summary>
public sealed class InputTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ACacheEntryInput_IsEncodedFromItsRecord_NotFromItsContent()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        float[] data = TestData.Ramp(24);
        cache.Put<float>("dce", "sub-01", data, [2, 3, 4]);
        using MappedArray<float> series = cache.Get<float>("dce", "sub-01")!;

        ProvenanceKey key = ProvenanceKey.For("fit").Input("series", series).Build();

        byte[] fromRecord = ProvenanceEncoding.EncodeEntry("<f4", [2, 3, 4], series.Record.PayloadChecksum, 96);
        Assert.Equal(ProvenanceEncoding.Sha256Hex(fromRecord), key.Components["argument series"].Digest);
        Assert.NotEqual(ProvenanceKey.For("fit").Array<float>("series", data, [2, 3, 4]).Build().Key, key.Key);
        Assert.StartsWith("cache entry dce/sub-01 (float32[2, 3, 4], xxh3 ", key.Components["argument series"].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void OneChangedElementOfACachedInput_ChangesTheKey_AndExplainNamesTheInput()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        float[] data = TestData.Ramp(24);
        cache.Put<float>("dce", "run-1", data, [24]);
        data[17] += 1f;
        cache.Put<float>("dce", "run-2", data, [24]);
        using MappedArray<float> first = cache.Get<float>("dce", "run-1")!;
        using MappedArray<float> second = cache.Get<float>("dce", "run-2")!;
        ProvenanceKey before = ProvenanceKey.For("fit").Input("series", first).Build();
        cache.Put<float>("t1_map", before, [1f], [1]);

        ExplainResult explained = cache.Explain("t1_map", ProvenanceKey.For("fit").Input("series", second).Build());

        Assert.False(explained.Hit);
        string line = Assert.Single(explained.Changed);
        Assert.StartsWith("argument series: cache entry dce/run-1 (float32[24], xxh3 ", line, StringComparison.Ordinal);
        Assert.Contains(" → cache entry dce/run-2 (float32[24], xxh3 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheKeyOfALargeCachedInput_UsesTheStoredChecksum()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        int[] shape = [64, 64, 16, 1024]; // 256 MiB of float32
        using (MappedArrayWriter<float> writer = cache.Create<float>("dce", "large", shape))
        {
            writer.GetRowSpan(0).Fill(1f);
            writer.Commit().Dispose();
        }

        using MappedArray<float> series = cache.Get<float>("dce", "large")!;
        ProvenanceKey key = ProvenanceKey.For("fit").Input("series", series).Build();

        Assert.Equal(256L << 20, series.SizeBytes);
        byte[] fromRecord = ProvenanceEncoding.EncodeEntry("<f4", [64, 64, 16, 1024], series.Record.PayloadChecksum, 256L << 20);
        Assert.Equal(ProvenanceEncoding.Sha256Hex(fromRecord), key.Components["argument series"].Digest);
    }
}
