using System.IO.MemoryMappedFiles;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Mapping;

/// <summary>
/// Segments are written so the page cache can hold them in 2 MiB folios, and mappings of them
/// then use 2 MiB pages (FilePmdMapped in /proc/self/smaps), as they do for a file written in one
/// call. Whether a kernel and filesystem can do that at all is checked first, on a control file;
/// where they cannot, the tests are skipped.
/// </summary>
public sealed class HugePageTests : IDisposable
{
    private const int Elements = 3 * 1024 * 1024; // 12 MiB of float32: five whole aligned 2 MiB blocks of payload
    private const long HugePageKb = 2048;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void PutSegment_IsMappedWithHugePages()
    {
        SkipUnlessFilesMapWithHugePages();
        using var cache = new IntermediateCache(_dir.Config());
        float[] data = TestData.Ramp(Elements);
        cache.Put<float>("t", "k", data, [Elements]);

        using MappedArray<float> view = cache.Get<float>("t", "k")!;
        Assert.Equal(data, view.ReadOnlySpan.ToArray()); // touches every page

        Assert.True(FilePmdMappedKb(".npy") >= 5 * HugePageKb, $"FilePmdMapped {FilePmdMappedKb(".npy")} kB");
    }

    [Fact]
    public void CreatedSegment_IsWrittenThroughHugePages()
    {
        SkipUnlessFilesMapWithHugePages();
        using var cache = new IntermediateCache(_dir.Config());
        using MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [Elements]);
        TestData.Ramp(Elements).CopyTo(writer.Span);

        Assert.True(FilePmdMappedKb(".tmp-") >= 5 * HugePageKb, $"FilePmdMapped {FilePmdMappedKb(".tmp-")} kB");
        using MappedArray<float> view = writer.Commit();
        Assert.Equal(TestData.Ramp(Elements), view.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void CreatedSegmentSmallerThanAHugePage_IsNotAdvisedHugePages()
    {
        // A folio the kernel made large for a region it cannot map with a 2 MiB page is written
        // through 4 KiB faults, each of which walks the whole folio's blocks (ext4's page_mkwrite).
        using var cache = new IntermediateCache(_dir.Config());
        using MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [256 * 1024]);

        Assert.Equal(["no hg"], MappingsAdvisedHugePages(".tmp-"));
        writer.Span.Fill(1f);
        using MappedArray<float> view = writer.Commit();
        Assert.Equal(1f, view.ReadOnlySpan[^1]);
    }

    [Fact]
    public void CreatedSegment_IsAdvisedHugePagesOnItsWholeHugePagesOnly()
    {
        using var cache = new IntermediateCache(_dir.Config());
        using MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [Elements]); // 12 MiB of payload after a 4 KiB header

        Assert.Equal(["hg", "no hg"], MappingsAdvisedHugePages(".tmp-"));
    }

    [Fact]
    public void DecompressedRawCopy_IsMappedWithHugePages()
    {
        SkipUnlessFilesMapWithHugePages();
        float[] data = TestData.Ramp(Elements);
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { Compression = true }))
        {
            writer.Put<float>("t", "k", data, [Elements]);
        }

        File.Delete(SegmentPaths.RawCopy(_dir.CachePath, "t", "k")); // so the get below decompresses
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> view = reader.Get<float>("t", "k")!;
        Assert.Equal(data, view.ReadOnlySpan.ToArray());

        Assert.True(FilePmdMappedKb(".raw") >= 5 * HugePageKb, $"FilePmdMapped {FilePmdMappedKb(".raw")} kB");
    }

    [Fact]
    public void BundleOfArraysStraddlingBlockBoundaries_RoundTripsAndVerifies()
    {
        using var cache = new IntermediateCache(_dir.Config());
        var arrays = new Dictionary<string, Array>
        {
            ["a"] = TestData.Ramp((2 * 1024 * 1024 / 4) + 3),
            ["b"] = new byte[] { 1, 2, 3 },
            ["c"] = TestData.Ramp(5 * 1024 * 1024 / 4).Select(v => (double)v).ToArray(),
            ["d"] = Array.Empty<float>(),
            ["e"] = TestData.Ramp(1000),
        };
        cache.Put("t", "k", arrays);

        using MappedBundle bundle = cache.GetBundle("t", "k")!;
        Assert.Equal((float[])arrays["a"], bundle.Get<float>("a").ReadOnlySpan.ToArray());
        Assert.Equal((byte[])arrays["b"], bundle.Get<byte>("b").ReadOnlySpan.ToArray());
        Assert.Equal((double[])arrays["c"], bundle.Get<double>("c").ReadOnlySpan.ToArray());
        Assert.Equal(0, bundle.Get<float>("d").Length);
        Assert.Equal((float[])arrays["e"], bundle.Get<float>("e").ReadOnlySpan.ToArray());
        Assert.True(cache.Verify("t", "k"));
    }

    /// <summary>Maps a file written with one 8 MiB write and reads it; skips unless that gives 2 MiB pages.</summary>
    private void SkipUnlessFilesMapWithHugePages()
    {
        string control = Path.Combine(_dir.Root, "control.bin");
        using (var handle = File.OpenHandle(control, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(handle, new byte[8 * 1024 * 1024], 0);
        }

        long kb;
        using (var file = MemoryMappedFile.CreateFromFile(control, FileMode.Open, null, 0, MemoryMappedFileAccess.Read))
        using (var accessor = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read))
        {
            accessor.ReadArray(0, new byte[8 * 1024 * 1024], 0, 8 * 1024 * 1024);
            kb = FilePmdMappedKb("control.bin");
        }

        File.Delete(control);
        Assert.SkipWhen(kb == 0, "This kernel or filesystem maps a file written in one call with 4 KiB pages only.");
    }

    /// <summary>FilePmdMapped summed over this process's mappings of files under the test directory whose name contains <paramref name="nameContains"/>.</summary>
    private long FilePmdMappedKb(string nameContains)
    {
        long total = 0;
        bool inMatchingMapping = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (IsMappingHeader(line))
            {
                string path = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries) is { Length: 6 } fields ? fields[5].Trim() : string.Empty;
                inMatchingMapping = path.StartsWith(_dir.Root + "/", StringComparison.Ordinal)
                    && Path.GetFileName(path).Contains(nameContains, StringComparison.Ordinal);
            }
            else if (inMatchingMapping && line.StartsWith("FilePmdMapped:", StringComparison.Ordinal))
            {
                total += long.Parse(line["FilePmdMapped:".Length..].Trim().Split(' ')[0]);
            }
        }

        return total;
    }

    /// <summary>For each of this process's mappings of matching files, in address order: "hg" where its VmFlags carry MADV_HUGEPAGE, else "no hg".</summary>
    private List<string> MappingsAdvisedHugePages(string nameContains)
    {
        var advised = new List<string>();
        bool inMatchingMapping = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (IsMappingHeader(line))
            {
                string path = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries) is { Length: 6 } fields ? fields[5].Trim() : string.Empty;
                inMatchingMapping = path.StartsWith(_dir.Root + "/", StringComparison.Ordinal)
                    && Path.GetFileName(path).Contains(nameContains, StringComparison.Ordinal);
            }
            else if (inMatchingMapping && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                advised.Add(line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("hg") ? "hg" : "no hg");
            }
        }

        return advised;
    }

    /// <summary>A mapping's first line, "start-end perms offset dev inode [path]", as opposed to "Field:   value kB".</summary>
    private static bool IsMappingHeader(string line)
    {
        string first = line.Split(' ', 2)[0];
        return first.Contains('-') && !first.EndsWith(':');
    }
}
