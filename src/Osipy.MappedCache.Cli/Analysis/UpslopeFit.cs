using CommunityToolkit.HighPerformance;

namespace Osipy.MappedCache.Cli.Analysis;

/// <summary>
/// A voxel-wise fit: the least-squares slope of each voxel's concentration over the first frames
/// after the bolus arrives (its upslope, mmol/L per second), the demo's memoized computation.
/// </summary>
internal static class UpslopeFit
{
    /// <summary>Fits every row (voxel) of <paramref name="curves"/> over frames [<paramref name="firstFrame"/>, + <paramref name="frames"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The frames do not lie within the curves, or fewer than two.</exception>
    public static float[] Fit(ReadOnlySpan2D<float> curves, int firstFrame, int frames, float frameSeconds)
    {
        if (frames < 2 || firstFrame < 0 || firstFrame + frames > curves.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(frames), $"frames [{firstFrame}, {firstFrame + frames}) do not lie within the {curves.Width} time points, or are fewer than two.");
        }

        // The design is the same for every voxel: centre the times once.
        double meanTime = (frames - 1) * frameSeconds / 2.0;
        double timeSpread = 0;
        for (int t = 0; t < frames; t++)
        {
            timeSpread += Square((t * frameSeconds) - meanTime);
        }

        var slopes = new float[curves.Height];
        for (int row = 0; row < curves.Height; row++)
        {
            ReadOnlySpan<float> window = curves.GetRowSpan(row).Slice(firstFrame, frames);
            double covariance = 0;
            for (int t = 0; t < frames; t++)
            {
                covariance += ((t * frameSeconds) - meanTime) * window[t];
            }

            slopes[row] = (float)(covariance / timeSpread);
        }

        return slopes;
    }

    private static double Square(double value) => value * value;
}
