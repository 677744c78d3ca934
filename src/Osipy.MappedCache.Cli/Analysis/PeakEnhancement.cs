using CommunityToolkit.HighPerformance;

namespace Osipy.MappedCache.Cli.Analysis;

/// <summary>The peak enhancement over the body: how much each voxel's curve rises above its baseline.</summary>
/// <param name="Voxels">Voxels inside the body (non-zero T1).</param>
/// <param name="MeanPeakMm">Mean over those voxels of max(curve) - mean(baseline), in mmol/L.</param>
/// <param name="MaxPeakMm">The largest of those peaks.</param>
internal readonly record struct PeakEnhancement(long Voxels, double MeanPeakMm, float MaxPeakMm)
{
    /// <summary>
    /// Walks <paramref name="curves"/> row by row (rows are voxels, columns time points), skipping
    /// voxels whose T1 is 0 (outside the body).
    /// </summary>
    /// <remarks>Sums in a fixed order, so the same data gives bit-identical results whichever memory holds it.</remarks>
    public static PeakEnhancement Measure(ReadOnlySpan2D<float> curves, ReadOnlySpan<float> t1Map, int baselineFrames)
    {
        if (t1Map.Length != curves.Height)
        {
            throw new ArgumentException($"The T1 map has {t1Map.Length} voxels but the series has {curves.Height} curves.", nameof(t1Map));
        }

        long voxels = 0;
        double sum = 0;
        float max = float.MinValue;
        for (int row = 0; row < curves.Height; row++)
        {
            if (t1Map[row] <= 0)
            {
                continue;
            }

            ReadOnlySpan<float> curve = curves.GetRowSpan(row);
            float baseline = 0;
            for (int t = 0; t < baselineFrames; t++)
            {
                baseline += curve[t];
            }

            float peak = float.MinValue;
            foreach (float value in curve)
            {
                peak = Math.Max(peak, value);
            }

            float enhancement = peak - (baseline / baselineFrames);
            sum += enhancement;
            max = Math.Max(max, enhancement);
            voxels++;
        }

        return new PeakEnhancement(voxels, voxels == 0 ? 0 : sum / voxels, voxels == 0 ? 0 : max);
    }
}
