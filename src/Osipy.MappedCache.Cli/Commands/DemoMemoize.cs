using System.Diagnostics;
using Osipy.MappedCache.Cli.Analysis;
using Osipy.MappedCache.Cli.Output;
using Osipy.MappedCache.Cli.Synthesis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// The demo's memoized voxel-wise fit: the upslope map keyed by what it is computed from (the
/// concentration entry by its stored checksum, the fit's frames, the fit's code), so a later run
/// finds it even though it synthesised and stored the curves anew, and explain says what a
/// changed parameter would recompute.
/// </summary>
internal static class DemoMemoize
{
    public const string UpslopeType = "upslope_map";

    /// <summary>Frames fitted after the baseline (fewer where the series is shorter).</summary>
    private const int FittedFrames = 6;

    /// <summary>Memoizes the fit of <paramref name="curves"/>; false if its result is not what a direct fit gives.</summary>
    public static bool Run(IntermediateCache cache, MappedArray<float> curves, VolumeSize size)
    {
        Report.Heading("Memoized voxel-wise fit (provenance key)");
        int frames = Math.Min(FittedFrames, curves.RowLength - SyntheticDce.BaselineFrames);
        if (frames < 3)
        {
            Report.Line($"skipped: {curves.RowLength} time points leave too few after the {SyntheticDce.BaselineFrames} baseline frames");
            return true;
        }

        ProvenanceKey key = KeyFor(curves, frames);
        bool found = cache.Has(UpslopeType, key);
        long start = Stopwatch.GetTimestamp();
        using MappedArray<float> upslope = cache.Memoize<float>(UpslopeType, key, size.MapShape,
            () => UpslopeFit.Fit(curves.AsReadOnlySpan2D(), SyntheticDce.BaselineFrames, frames, SyntheticDce.FrameSeconds));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        Report.Line($"key {key.Key}: the curves by their stored checksum, frames, and the fit's code");
        Report.Timing(found ? "upslope map found (same inputs and code: not refitted)" : "upslope map fitted and stored (PERSISTENT)", elapsed, upslope.SizeBytes, showRate: false);

        ExplainResult other = cache.Explain(UpslopeType, KeyFor(curves, frames - 1));
        Report.Line($"explain, fitting {frames - 1} frames instead: {(other.Hit ? "hit" : "miss")}; {string.Join("; ", other.Changed)}");

        float[] direct = UpslopeFit.Fit(curves.AsReadOnlySpan2D(), SyntheticDce.BaselineFrames, frames, SyntheticDce.FrameSeconds);
        return DemoChecks.Check("the memoized upslope map equals a direct fit", upslope.ReadOnlySpan.SequenceEqual(direct));
    }

    private static ProvenanceKey KeyFor(MappedArray<float> curves, int frames) =>
        ProvenanceKey.For("upslope_fit")
            .Code(UpslopeFit.Fit)
            .Input("concentration", curves)
            .Argument("first_frame", SyntheticDce.BaselineFrames)
            .Argument("frames", frames)
            .Argument("frame_seconds", SyntheticDce.FrameSeconds)
            .Build();
}
