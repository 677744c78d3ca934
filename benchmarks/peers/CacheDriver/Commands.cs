using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Osipy.MappedCache.Peers;

/// <summary>The driver's two measurements: store (put against a plain file write) and open plus full read.</summary>
internal static class Commands
{
    private const string ResultType = "dce";
    private const int NewSessionRepeats = 5;

    /// <summary>
    /// Loads the .npy once (not timed), then REPEATS times: writes its bytes to a new file with
    /// <see cref="RandomAccess.Write(SafeFileHandle, ReadOnlySpan{byte}, long)"/> (the floor), and puts
    /// it as a PERSISTENT entry after invalidating the previous one. Neither is synced to disk.
    /// </summary>
    public static int Put(string cacheDir, string npyPath, string key, int repeats, bool compress)
    {
        (float[] data, int[] shape) = NpyFile.ReadFloat32(npyPath);
        string floorPath = Path.Combine(cacheDir, "floor.bin");
        var floorMs = new List<double>();
        var putMs = new List<double>();
        using var cache = new IntermediateCache(Config(cacheDir, compress));
        for (int i = 0; i < repeats; i++)
        {
            File.Delete(floorPath);
            long start = Stopwatch.GetTimestamp();
            using (SafeFileHandle handle = File.OpenHandle(floorPath, FileMode.CreateNew, FileAccess.Write))
            {
                RandomAccess.Write(handle, MemoryMarshal.AsBytes(data.AsSpan()), 0);
            }

            floorMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);

            // Gone before the put, as each numpy store follows the removal of the previous file: left
            // in place, its dirty pages would push the put into the kernel's writeback throttling.
            File.Delete(floorPath);

            cache.Invalidate(ResultType, key);
            start = Stopwatch.GetTimestamp();
            cache.Put<float>(ResultType, key, data, shape);
            putMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        File.Delete(floorPath);
        (List<double> sessionGetMs, List<double> sessionOpenMs) = NewSessionGets(cacheDir, key, compress, NewSessionRepeats);
        Print(new Dictionary<string, object>
        {
            ["floor_ms"] = floorMs,
            ["store_ms"] = putMs,
            ["new_session_get_ms"] = sessionGetMs,
            ["new_session_open_ms"] = sessionOpenMs,
        });
        return 0;
    }

    /// <summary>
    /// In the writing process, after its puts: <paramref name="repeats"/> times a new session, its
    /// first get of the entry, and the session's end. Returns each get's time, and each session
    /// open's, separately. The compare script times numpy's np.load(mmap_mode='r') the same way.
    /// </summary>
    private static (List<double> GetMs, List<double> OpenMs) NewSessionGets(string cacheDir, string key, bool compress, int repeats)
    {
        var getMs = new List<double>();
        var openMs = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var session = new IntermediateCache(Config(cacheDir, compress));
            openMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            using MappedArray<float> array = session.Get<float>(ResultType, key)
                ?? throw new InvalidOperationException($"'{key}' is not in {cacheDir}.");
            getMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return (getMs, openMs);
    }

    /// <summary>
    /// In a new process: opens a session (the one-time cost), gets the entry (the open), sums every
    /// element in double precision (the full read), and reports the growth of RssAnon from before
    /// the get to after the sum, and VmHWM; then a second session and get in the same process (JIT done).
    /// </summary>
    public static int Get(string cacheDir, string key, bool compress)
    {
        long start = Stopwatch.GetTimestamp();
        using var cache = new IntermediateCache(Config(cacheDir, compress));
        double sessionMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        long anonBefore = ProcessStatus.ReadKb("RssAnon");
        start = Stopwatch.GetTimestamp();
        using MappedArray<float> array = cache.Get<float>(ResultType, key)
            ?? throw new InvalidOperationException($"'{key}' is not in {cacheDir}.");
        double openMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        start = Stopwatch.GetTimestamp();
        double sum = SumAsDouble(array);
        double readMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long anonGrowth = ProcessStatus.ReadKb("RssAnon") - anonBefore;

        // The same get in a second session of this process: no JIT compilation left to do.
        double secondOpenMs;
        using (var second = new IntermediateCache(Config(cacheDir, compress)))
        {
            start = Stopwatch.GetTimestamp();
            using MappedArray<float> again = second.Get<float>(ResultType, key)
                ?? throw new InvalidOperationException($"'{key}' is not in {cacheDir}.");
            secondOpenMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Print(new Dictionary<string, object>
        {
            ["setup_ms"] = sessionMs,
            ["open_ms"] = openMs,
            ["read_ms"] = readMs,
            ["sum"] = sum,
            ["anon_growth_kb"] = anonGrowth,
            ["second_open_ms"] = secondOpenMs,
            ["hwm_kb"] = ProcessStatus.ReadKb("VmHWM"),
        });
        return 0;
    }

    /// <summary>
    /// Every element added in double precision, as the Python side's np.sum(dtype=np.float64):
    /// row by row (an array may exceed one span), eight floats at a time widened to doubles.
    /// </summary>
    private static double SumAsDouble(MappedArray<float> array)
    {
        Vector<double> low = Vector<double>.Zero, high = Vector<double>.Zero;
        double tail = 0;
        for (long row = 0; row < array.RowCount; row++)
        {
            ReadOnlySpan<float> values = array.GetRowSpan(row);
            int i = 0;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(values[i..]), out Vector<double> first, out Vector<double> second);
                low += first;
                high += second;
            }

            for (; i < values.Length; i++)
            {
                tail += values[i];
            }
        }

        return Vector.Sum(low + high) + tail;
    }

    /// <summary>The cache's settings; OSIPY_BENCH_CACHED_DIR, if set, is its CachedDir (where raw copies of compressed entries go).</summary>
    private static CacheConfig Config(string cacheDir, bool compress) => new()
    {
        CacheDir = cacheDir,
        CachedDir = Environment.GetEnvironmentVariable("OSIPY_BENCH_CACHED_DIR"),
        DefaultPolicy = RetentionPolicy.Persistent,
        MaxMemoryMb = 16_384,
        Compression = compress,
    };

    /// <summary>One JSON object on one line. Written by hand so the driver also builds with NativeAOT (no reflection).</summary>
    private static void Print(Dictionary<string, object> result)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            foreach ((string name, object value) in result)
            {
                switch (value)
                {
                    case List<double> values:
                        json.WriteStartArray(name);
                        values.ForEach(json.WriteNumberValue);
                        json.WriteEndArray();
                        break;
                    case double number:
                        json.WriteNumber(name, number);
                        break;
                    case long number:
                        json.WriteNumber(name, number);
                        break;
                    default:
                        throw new ArgumentException($"{name}: no JSON form for {value.GetType()}.", nameof(result));
                }
            }

            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }
}
