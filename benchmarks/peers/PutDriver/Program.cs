using System.Diagnostics;
using Osipy.MappedCache;

// Usage: PutDriver BYTES REPETITIONS CACHE_DIR [put|invalidate-put|create|both]
// Times REPETITIONS puts (and/or Create + fill + Commit) of a float32 array of BYTES into a new
// cache in CACHE_DIR, after one unmeasured warm-up, and prints the medians. Each put replaces the
// previous one under the same key; "invalidate-put" times Invalidate of the key and then the put,
// which like np.save over the same file (np_save_loop.py) drops the old bytes before writing.
long bytes = long.Parse(args[0]);
int repetitions = int.Parse(args[1]);
string mode = args.Length > 3 ? args[3] : "both";
var config = new CacheConfig
{
    CacheDir = args[2],
    MaxMemoryMb = 16384,
    MaxAgeSeconds = 0,
    Policies = new Dictionary<string, RetentionPolicy> { ["series"] = RetentionPolicy.Cached },
};
using var cache = new IntermediateCache(config);
var data = new float[bytes / sizeof(float)];
for (int i = 0; i < data.Length; i++)
{
    data[i] = i % 1000 * 0.5f;
}

int[] shape = [data.Length];
var puts = new List<double>();
var creates = new List<double>();
for (int repetition = 0; repetition <= repetitions; repetition++)
{
    long started = Stopwatch.GetTimestamp();
    if (mode == "invalidate-put")
    {
        cache.Invalidate("series", "put");
    }

    if (mode != "create")
    {
        cache.Put<float>("series", "put", data, shape);
    }

    double put = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    started = Stopwatch.GetTimestamp();
    if (mode != "put")
    {
        using MappedArrayWriter<float> writer = cache.Create<float>("series", "create", shape);
        data.CopyTo(writer.Span);
        using MappedArray<float> committed = writer.Commit();
    }

    double create = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (repetition > 0)
    {
        puts.Add(put);
        creates.Add(create);
    }
}

double putMedian = Median(puts), createMedian = Median(creates);
Console.WriteLine(mode == "both"
    ? $"C# bytes={bytes} put_ms={putMedian:F3} create_ms={createMedian:F3} create/put={createMedian / putMedian:F2}"
    : $"C# bytes={bytes} {mode}_ms={(mode == "create" ? createMedian : putMedian):F3}");

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}
