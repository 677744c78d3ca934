using System.Diagnostics;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Interop;

/// <summary>Single-array segments are plain .npy files: numpy maps them without a copy.</summary>
public sealed class NumpyInteropTests : IDisposable
{
    private const string Python = "/usr/bin/python3";

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void NumpyLoadMmap_ReadsEverySingleArraySegmentKind_PutAndCreate()
    {
        RequireNumpy();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put("dce", "float32-4d", TestData.Dce(6, 5, 4, 7));
        cache.Put<double>("t", "float64", [.. Enumerable.Range(0, 10).Select(i => i * 0.25)], [2, 5]);
        cache.Put<short>("t", "int16", [.. Enumerable.Range(-5, 10).Select(i => (short)i)], [10]);
        cache.Put<ushort>("t", "uint16", [.. Enumerable.Range(0, 12).Select(i => (ushort)(i * 1000))], [3, 4]);
        cache.Put<int>("t", "int32", [.. Enumerable.Range(0, 8)], [2, 2, 2]);
        cache.Put<long>("t", "int64", [long.MaxValue, long.MinValue], [2]);
        cache.Put<byte>("t", "uint8", [.. Enumerable.Range(0, 256).Select(i => (byte)i)], [16, 16]);
        cache.Put<float>("t", "scalar", [3.5f], []);
        using (MappedArrayWriter<double> writer = cache.Create<double>("t", "created", [3, 7]))
        {
            for (int i = 0; i < 21; i++)
            {
                writer.Span[i] = i * 1.5;
            }

            writer.Commit().Dispose();
        }

        string script = """
            import sys, numpy as np
            def check(path, expected):
                a = np.load(path, mmap_mode='r')
                assert isinstance(a, np.memmap), type(a)
                assert a.dtype == expected.dtype and a.shape == expected.shape, (a.dtype, a.shape, expected.dtype, expected.shape)
                assert np.array_equal(np.asarray(a), expected), path
                assert a.offset == 4096 if hasattr(a, 'offset') else True
                b = np.load(path)
                assert np.array_equal(b, expected)
            p = sys.argv[1:]
            check(p[0], np.arange(6*5*4*7, dtype=np.float32).reshape(6, 5, 4, 7))
            check(p[1], (np.arange(10) * 0.25).reshape(2, 5))
            check(p[2], np.arange(-5, 5, dtype=np.int16))
            check(p[3], (np.arange(12, dtype=np.uint16) * 1000).reshape(3, 4))
            check(p[4], np.arange(8, dtype=np.int32).reshape(2, 2, 2))
            check(p[5], np.array([2**63 - 1, -2**63], dtype=np.int64))
            check(p[6], np.arange(256, dtype=np.uint8).reshape(16, 16))
            check(p[7], np.array(3.5, dtype=np.float32))
            check(p[8], (np.arange(21) * 1.5).reshape(3, 7))
            print("ok")
            """;
        string[] keys = ["float32-4d", "float64", "int16", "uint16", "int32", "int64", "uint8", "scalar", "created"];
        string[] paths = [.. keys.Select((k, i) => SegmentPaths.Single(cache, i == 0 ? "dce" : "t", k))];

        (int exitCode, string output) = RunPython(script, paths);

        Assert.True(exitCode == 0, output);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public void BoolMasksAndComplex64Reconstructions_AreNpyFilesNumpyReads()
    {
        RequireNumpy();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        bool[] mask = [.. Enumerable.Range(0, 24).Select(i => i % 3 == 0)];
        Complex64[] recon = [.. Enumerable.Range(0, 6).Select(i => new Complex64(i, -0.5f * i))];
        cache.Put<bool>("mask", "brain", mask, [2, 3, 4]);
        cache.Put<Complex64>("recon", "k", recon, [2, 3]);
        using (MappedArray<bool> back = cache.Get<bool>("mask", "brain")!)
        using (MappedArray<Complex64> z = cache.Get<Complex64>("recon", "k")!)
        {
            Assert.Equal(mask, back.ReadOnlySpan.ToArray());
            Assert.Equal(new Complex64(5, -2.5f), z.ReadOnlySpan[5]);
            Assert.Equal([typeof(bool), typeof(Complex64)], new[] { back.Entry.ElementType, z.Entry.ElementType });
        }

        (int exitCode, string output) = RunPython(
            """
            import sys, numpy as np
            m = np.load(sys.argv[1], mmap_mode='r')
            assert m.dtype == np.bool_ and m.shape == (2, 3, 4), (m.dtype, m.shape)
            assert np.array_equal(m, (np.arange(24) % 3 == 0).reshape(2, 3, 4))
            z = np.load(sys.argv[2], mmap_mode='r')
            assert z.dtype == np.complex64 and z.shape == (2, 3), (z.dtype, z.shape)
            assert np.array_equal(z, (np.arange(6) - 0.5j * np.arange(6)).astype(np.complex64).reshape(2, 3))
            print("ok")
            """,
            [SegmentPaths.Single(cache, "mask", "brain"), SegmentPaths.Single(cache, "recon", "k")]);

        Assert.True(exitCode == 0, output);
    }

    private static void RequireNumpy()
    {
        if (!File.Exists(Python) || RunPython("import numpy", []).ExitCode != 0)
        {
            Assert.Skip("Debian's python3-numpy is not installed (apt-get install python3-numpy); .ci/run installs it.");
        }
    }

    private static (int ExitCode, string Output) RunPython(string script, string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
