using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Files;

/// <summary>Every kind of bad file is a counted miss and is set aside; nothing crashes or reads outside the mapping.</summary>
public sealed class CorruptSegmentTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly IntermediateCache _writer;
    private readonly IntermediateCache _reader;

    public CorruptSegmentTests()
    {
        _writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        _reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
    }

    public void Dispose()
    {
        _writer.Dispose();
        _reader.Dispose();
        _dir.Dispose();
    }

    public static TheoryData<string> Damages => ["truncate-payload", "truncate-record", "extend", "flip-header", "flip-header-padding", "flip-record", "flip-payload-checksum", "flip-trailer"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void Get_OfDamagedFile_IsCountedMiss_AndFileQuarantined(string damage)
    {
        string path = StoreSample("k");
        Damage(path, damage);

        Assert.Null(_reader.Get<float>("t", "k"));

        CacheStats stats = _reader.GetStats();
        Assert.Equal(1, stats.Misses);
        Assert.Equal(1, stats.CorruptSegments);
        Assert.False(File.Exists(path));
        Assert.Single(_dir.QuarantinedFiles());
        _writer.Put<float>("t", "k", TestData.Ramp(1024), [32, 32]);
        using MappedArray<float>? healed = _reader.Get<float>("t", "k");
        Assert.NotNull(healed);
    }

    [Fact]
    public void DamagedFile_IsLoggedAsWarning_NamingPathAndReason()
    {
        string path = StoreSample("k");
        Damage(path, "flip-record");
        var logger = new RecordingLogger();
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent), TimeProvider.System, logger);

        Assert.Null(reader.Get<float>("t", "k"));

        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Contains("record checksum mismatch", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Has_OfDamagedFile_IsFalse()
    {
        string path = StoreSample("k");
        Damage(path, "flip-record");

        Assert.False(_reader.Has("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    [Fact]
    public void SegmentFromNewerFormatVersion_IsMiss_ButLeftInPlace()
    {
        string path = StoreSample("k");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^20] = 2; // the trailer's version field
        File.WriteAllBytes(path, bytes);

        Assert.Null(_reader.Get<float>("t", "k"));

        Assert.Equal(1, _reader.GetStats().Misses);
        Assert.Equal(0, _reader.GetStats().CorruptSegments);
        Assert.True(File.Exists(path));
        Assert.Empty(_dir.QuarantinedFiles());
    }

    [Fact]
    public void PlantedNonSegmentFile_IsMiss()
    {
        string path = StoreSample("k");
        File.WriteAllText(path, "not a segment at all, but long enough? no.");

        Assert.Null(_reader.Get<float>("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    [Fact]
    public void PlantedRealNpyOfSamePath_ButAnotherKey_IsMiss()
    {
        string path = StoreSample("k");
        string other = StoreSample("other");
        File.Move(other, path, overwrite: true);

        Assert.Null(_reader.Get<float>("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    [Fact]
    public void SymlinkAtSegmentPath_IsMiss_AndLinkRemoved_TargetUntouched()
    {
        string path = StoreSample("k");
        string target = Path.Combine(_dir.Root, "elsewhere.npy");
        File.Move(path, target);
        File.CreateSymbolicLink(path, target);

        Assert.Null(_reader.Get<float>("t", "k"));

        Assert.Equal(1, _reader.GetStats().CorruptSegments);
        Assert.False(File.Exists(path) || new FileInfo(path).LinkTarget is not null);
        Assert.True(File.Exists(target));
    }

    [Fact]
    public void FifoAtSegmentPath_IsMiss_WithoutBlocking()
    {
        string path = StoreSample("k");
        File.Delete(path);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
        }

        Assert.Null(_reader.Get<float>("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{\"unterminated\": ")]
    [InlineData("{} {}")]
    [InlineData("{}x")]
    [InlineData("null")]
    [InlineData("")]
    public void RecordWithMetadataThatIsNotAJsonObject_IsMiss(string metadataJson)
    {
        string path = SegmentPaths.Single(_reader, "t", "k");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SegmentBuilder.WriteWithMetadataJson(path, "t", "k", metadataJson);

        Assert.False(_reader.Has("t", "k"));
        Assert.Null(_reader.Get<float>("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    [Fact]
    public void RecordWithMetadataNestedTooDeep_IsMiss_BeforeAnyoneReadsTheMetadata()
    {
        string path = SegmentPaths.Single(_reader, "t", "k");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string deep = string.Concat(Enumerable.Repeat("{\"a\": ", 70)) + "1" + new string('}', 70);
        SegmentBuilder.WriteWithMetadataJson(path, "t", "k", deep);

        Assert.Null(_reader.Get<float>("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    [Fact]
    public void BuilderSegmentWithValidMetadata_IsHit()
    {
        string path = SegmentPaths.Single(_reader, "t", "k");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SegmentBuilder.WriteWithMetadataJson(path, "t", "k", "{\"a\": 1, \"a\": 2}");

        using MappedArray<float>? view = _reader.Get<float>("t", "k");

        Assert.NotNull(view);
        Assert.Equal(2L, view.Entry.Metadata["a"]);
    }

    [Fact]
    public void ShapeWhoseProductOverflows_IsMiss()
    {
        string path = SegmentPaths.Single(_reader, "t", "k");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SegmentBuilder.WriteOverflowingShape(path, "t", "k");

        Assert.Null(_reader.Get<double>("t", "k"));
        Assert.Equal(1, _reader.GetStats().CorruptSegments);
    }

    private string StoreSample(string key)
    {
        _writer.Put<float>("t", key, TestData.Ramp(1024), [32, 32]);
        return SegmentPaths.Single(_writer, "t", key);
    }

    private static void Damage(string path, string damage)
    {
        byte[] bytes = File.ReadAllBytes(path);
        const int PayloadEnd = 4096 + 4096;
        switch (damage)
        {
            case "truncate-payload":
                File.WriteAllBytes(path, bytes[..6000]);
                return;
            case "truncate-record":
                File.WriteAllBytes(path, bytes[..^5]);
                return;
            case "extend":
                File.WriteAllBytes(path, [.. bytes, 0, 0, 0, 0, 0, 0, 0, 0]);
                return;
            case "flip-header":
                bytes[20] ^= 0x01; // inside the dict text
                break;
            case "flip-header-padding":
                bytes[3000] ^= 0x01; // grammar still parses: only the header checksum notices
                break;
            case "flip-record":
                bytes[PayloadEnd + 40] ^= 0x01;
                break;
            case "flip-payload-checksum":
                // The last array entry's checksum sits 8 bytes before its one dimension pair, just before the trailer.
                bytes[bytes.Length - 24 - 16 - 8] ^= 0x01;
                break;
            case "flip-trailer":
                bytes[^1] ^= 0x01;
                break;
        }

        File.WriteAllBytes(path, bytes);
    }
}
