using System.CommandLine;
using System.Diagnostics;
using CommunityToolkit.HighPerformance;
using Osipy.MappedCache.Cli.Analysis;
using Osipy.MappedCache.Cli.Output;
using Osipy.MappedCache.Cli.Synthesis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache demo</c>: the cache on a synthetic DCE study. Stores a PERSISTENT T1 map (reused
/// by later runs) and CACHED concentration curves (gone when the session ends), reads both back as
/// zero-copy views, walks the curves voxel by voxel through a 2D view, and prints timings and stats.
/// </summary>
/// <remarks>Timed calls are written inline, not passed as lambdas: a lambda is compiled on its first call and would be timed with it.</remarks>
internal static class DemoCommand
{
    private const string T1Type = "t1_map";
    private const string ConcentrationType = "concentration";

    /// <summary>Room for the whole default study and much larger ones, so nothing is evicted mid-demo.</summary>
    private const long MaxMemoryMb = 4096;

    /// <summary><c>demo [--size XxYxZxT]</c>; <c>--cache-dir</c> is the common option.</summary>
    public static Command Create()
    {
        Option<VolumeSize> size = new("--size")
        {
            Description = $"Volume and time points of the synthetic series (default {VolumeSize.Default}).",
            HelpName = "XxYxZxT",
            DefaultValueFactory = _ => VolumeSize.Default,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (VolumeSize.TryParse(text, out VolumeSize parsed, out string? error))
                {
                    return parsed;
                }

                result.AddError($"--size: {error}");
                return default;
            },
        };
        var command = new Command("demo", "Synthesise a 4D DCE series, cache a PERSISTENT T1 map and CACHED concentration curves, read them back zero-copy and print timings.") { size };
        command.SetAction(parsed => Run(new DemoOptions { Size = parsed.GetValue(size), CacheDir = parsed.GetValue(CommonOptions.CacheDir) }));
        return command;
    }

    private static int Run(DemoOptions options)
    {
        var config = new CacheConfig
        {
            CacheDir = options.CacheDir,
            MaxMemoryMb = MaxMemoryMb,
            Policies = new Dictionary<string, RetentionPolicy>
            {
                [T1Type] = RetentionPolicy.Persistent,
                [ConcentrationType] = RetentionPolicy.Cached,
                [DemoMemoize.UpslopeType] = RetentionPolicy.Persistent,
            },
        };

        try
        {
            DemoWarmup.Run(config, RunStudy);
            return RunStudy(config, options.Size);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"osipy-cache demo: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    private static int RunStudy(CacheConfig config, VolumeSize size)
    {
        var dce = new SyntheticDce(new Phantom(size));
        string t1Key = $"demo-t1-{size.MapLabel}";
        string concentrationKey = $"demo-concentration-{size}";
        bool checksPassed;
        using (var cache = new IntermediateCache(config))
        {
            Console.WriteLine($"osipy-cache demo: synthetic DCE study {size} (x, y, z, t), float32");
            Console.WriteLine($"cache directory: {cache.CacheDir}");
            Console.WriteLine("timings exclude JIT: the whole demo first ran on a tiny study in a throwaway directory");

            Report.Heading("Store");
            StoreT1Map(cache, dce, t1Key);
            float[] concentration = StoreConcentration(cache, dce, concentrationKey);

            Report.Heading("Read back (zero-copy)");
            long start = Stopwatch.GetTimestamp();
            MappedArray<float>? t1 = cache.Get<float>(T1Type, t1Key);
            TimeSpan t1Get = Stopwatch.GetElapsedTime(start);
            start = Stopwatch.GetTimestamp();
            MappedArray<float>? curves = cache.Get<float>(ConcentrationType, concentrationKey);
            TimeSpan curvesGet = Stopwatch.GetElapsedTime(start);
            using (t1)
            using (curves)
            {
                if (t1 is null || curves is null)
                {
                    Console.Error.WriteLine($"osipy-cache demo: an entry just put was a miss ({(t1 is null ? T1Type : ConcentrationType)}).");
                    return ExitCodes.Failure;
                }

                Report.Timing("get T1 map", t1Get, t1.SizeBytes, showRate: false, note: "opens, validates and maps; reads no data");
                Report.Timing("get concentration", curvesGet, curves.SizeBytes, showRate: false, note: "same cost whatever the size");
                checksPassed = Analyse(dce, concentration, t1, curves);
                checksPassed &= DemoMemoize.Run(cache, curves, size);
            }

            Report.Heading("GetStats()");
            StatsTable.Write(cache.GetStats(), Console.Out);
        }

        ReportAfterDispose(config, t1Key, concentrationKey);
        return checksPassed ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>Puts the T1 map unless an earlier session already did: that is what PERSISTENT is for.</summary>
    private static void StoreT1Map(IntermediateCache cache, SyntheticDce dce, string key)
    {
        if (cache.GetEntry(T1Type, key) is { } earlier)
        {
            TimeSpan age = DateTimeOffset.UtcNow - earlier.CreatedAt;
            string ago = age.TotalMinutes < 2 ? $"{age.TotalSeconds:F0} s" : $"{age.TotalMinutes:F0} min";
            Report.Line($"T1 map '{key}' found from an earlier session (PERSISTENT hit): not recomputed.");
            Report.Line($"  created {earlier.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC ({ago} ago), {Report.Size(earlier.SizeBytes)}, units {earlier.Metadata.GetValueOrDefault("units")}");
            return;
        }

        VolumeSize size = dce.Phantom.Size;
        long start = Stopwatch.GetTimestamp();
        float[] t1 = dce.T1Map();
        Report.Timing("synthesise T1 map", Stopwatch.GetElapsedTime(start), SizeOf(t1));

        Dictionary<string, object?> metadata = new()
        {
            ["units"] = "ms",
            ["size"] = size.MapLabel,
            ["shape"] = size.MapShape,
            ["seed"] = SyntheticDce.DefaultSeed,
        };
        start = Stopwatch.GetTimestamp();
        cache.Put<float>(T1Type, key, t1, size.MapShape, metadata);
        Report.Timing("put T1 map (PERSISTENT)", Stopwatch.GetElapsedTime(start), SizeOf(t1));
    }

    private static float[] StoreConcentration(IntermediateCache cache, SyntheticDce dce, string key)
    {
        VolumeSize size = dce.Phantom.Size;
        long start = Stopwatch.GetTimestamp();
        float[] concentration = dce.Concentration();
        Report.Timing("synthesise concentration curves", Stopwatch.GetElapsedTime(start), SizeOf(concentration));

        Dictionary<string, object?> metadata = new()
        {
            ["units"] = "mmol/L",
            ["size"] = size.ToString(),
            ["frame_seconds"] = SyntheticDce.FrameSeconds,
            ["baseline_frames"] = SyntheticDce.BaselineFrames,
            ["seed"] = SyntheticDce.DefaultSeed,
        };
        start = Stopwatch.GetTimestamp();
        cache.Put<float>(ConcentrationType, key, concentration, size.SeriesShape, metadata);
        Report.Timing("put concentration (CACHED)", Stopwatch.GetElapsedTime(start), SizeOf(concentration));
        return concentration;
    }

    /// <summary>
    /// Measures the peak enhancement through the mapped 2D view, twice (the first pass faults the
    /// pages in), and once over the managed source for comparison; then checks that the views hold
    /// the source's values.
    /// </summary>
    private static bool Analyse(SyntheticDce dce, float[] source, MappedArray<float> t1, MappedArray<float> curves)
    {
        Report.Heading($"2D pass: {curves.RowCount} rows (voxels) x {curves.RowLength} columns (time points), body rows only");
        long start = Stopwatch.GetTimestamp();
        PeakEnhancement mapped = PeakEnhancement.Measure(curves.AsReadOnlySpan2D(), t1.ReadOnlySpan, SyntheticDce.BaselineFrames);
        TimeSpan first = Stopwatch.GetElapsedTime(start);
        start = Stopwatch.GetTimestamp();
        PeakEnhancement again = PeakEnhancement.Measure(curves.AsReadOnlySpan2D(), t1.ReadOnlySpan, SyntheticDce.BaselineFrames);
        TimeSpan second = Stopwatch.GetElapsedTime(start);
        var sourceView = new ReadOnlySpan2D<float>(source, (int)curves.RowCount, curves.RowLength);
        start = Stopwatch.GetTimestamp();
        PeakEnhancement managed = PeakEnhancement.Measure(sourceView, t1.ReadOnlySpan, SyntheticDce.BaselineFrames);
        TimeSpan inMemory = Stopwatch.GetElapsedTime(start);

        long bytes = mapped.Voxels * curves.RowLength * sizeof(float);
        Report.Timing("mapped view, first pass", first, bytes, note: "page faults on first touch");
        Report.Timing("mapped view, second pass", second, bytes);
        Report.Timing("managed source array", inMemory, bytes);
        Report.Line($"{mapped.Voxels} voxels in the body: mean peak enhancement {mapped.MeanPeakMm:F4} mmol/L, max {mapped.MaxPeakMm:F4} mmol/L");

        Report.Heading("Checks");
        bool passed = DemoChecks.Check("peak enhancement through the view equals the source's", mapped == managed && again == managed);
        passed &= DemoChecks.Check("sampled concentrations equal the source", DemoChecks.SampledRowsMatch(dce.Phantom, curves.AsReadOnlySpan2D(), sourceView));
        passed &= DemoChecks.Check("sampled T1 values equal the phantom's", DemoChecks.SampledT1Matches(dce.Phantom, t1.ReadOnlySpan));
        passed &= DemoChecks.Check($"all {curves.RowCount - mapped.Voxels} voxels outside the body are exactly zero", DemoChecks.OutsideIsZero(curves.AsReadOnlySpan2D(), t1.ReadOnlySpan));
        return passed;
    }

    /// <summary>Shows, from a fresh session, what disposal left: the PERSISTENT map, not the CACHED curves.</summary>
    private static void ReportAfterDispose(CacheConfig config, string t1Key, string concentrationKey)
    {
        using var next = new IntermediateCache(config);
        Report.Heading("After Dispose()");
        Report.Line($"CACHED concentration segment unlinked:  {(next.Has(ConcentrationType, concentrationKey) ? "no" : "yes")}");
        Report.Line($"PERSISTENT T1 map kept for next time:    {(next.Has(T1Type, t1Key) ? "yes" : "no")}");
        Console.WriteLine();
        Console.WriteLine($"Run the demo again with the same --size{(config.CacheDir is null ? string.Empty : " and --cache-dir")} to see the PERSISTENT T1 map found from this session");
        Console.WriteLine($"(entries expire after MaxAgeSeconds = {config.MaxAgeSeconds} s).");
    }

    private static long SizeOf(float[] array) => (long)array.Length * sizeof(float);
}
