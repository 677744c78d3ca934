namespace Osipy.MappedCache.Cli.Synthesis;

/// <summary>
/// Synthesises a DCE-MRI study from a <see cref="Phantom"/>: a T1 map and, per voxel, a contrast
/// concentration curve with a flat baseline, a gamma-variate first pass and a Tofts-like leakage
/// plateau, plus Gaussian noise. Outside the body every value is exactly 0.
/// </summary>
/// <remarks>Deterministic: the same size and seed give the same bytes on every run.</remarks>
internal sealed class SyntheticDce(Phantom phantom, int seed = SyntheticDce.DefaultSeed)
{
    public const int DefaultSeed = 1729;

    /// <summary>Temporal resolution: 60 frames cover five minutes, as in a clinical protocol.</summary>
    public const float FrameSeconds = 5f;

    /// <summary>Frames before the bolus arrives; the peak enhancement is measured against their mean.</summary>
    public const int BaselineFrames = 5;

    /// <summary>Noise on the concentration, in mmol/L: a few percent of a typical amplitude.</summary>
    public const float NoiseSigmaMm = 0.02f;

    // Shape of the gamma variate; 3 gives the skewed first pass seen in arterial and tissue curves.
    private const float GammaAlpha = 3f;
    private const float LeakageTimeConstantSeconds = 90f;

    public Phantom Phantom { get; } = phantom;

    /// <summary>The T1 map, shape [x, y, z], in milliseconds.</summary>
    public float[] T1Map()
    {
        VolumeSize size = Phantom.Size;
        var map = new float[size.VoxelCount];
        int index = 0;
        for (int x = 0; x < size.X; x++)
        {
            for (int y = 0; y < size.Y; y++)
            {
                for (int z = 0; z < size.Z; z++)
                {
                    map[index++] = Phantom.T1At(x, y, z);
                }
            }
        }

        return map;
    }

    /// <summary>The concentration curves, shape [x, y, z, t] in C order, in mmol/L.</summary>
    public float[] Concentration()
    {
        VolumeSize size = Phantom.Size;
        var series = new float[size.ElementCount];

        // One slab of x per task, each with its own noise stream, so the result does not depend on scheduling.
        Parallel.For(0, size.X, x =>
        {
            var noise = new GaussianNoise(unchecked((seed * 7919) + x));
            for (int y = 0; y < size.Y; y++)
            {
                for (int z = 0; z < size.Z; z++)
                {
                    if (!Phantom.TryGetTissue(x, y, z, out Tissue tissue))
                    {
                        continue;
                    }

                    long row = (((long)x * size.Y) + y) * size.Z + z;
                    Span<float> curve = series.AsSpan((int)(row * size.T), size.T);
                    WriteCurve(tissue, curve);
                    for (int t = 0; t < curve.Length; t++)
                    {
                        curve[t] += NoiseSigmaMm * noise.Next();
                    }
                }
            }
        });
        return series;
    }

    /// <summary>The noise-free concentration of <paramref name="tissue"/> at each frame.</summary>
    private static void WriteCurve(Tissue tissue, Span<float> curve)
    {
        const float arrival = BaselineFrames * FrameSeconds;
        for (int frame = 0; frame < curve.Length; frame++)
        {
            float since = (frame * FrameSeconds) - arrival;
            if (since <= 0)
            {
                curve[frame] = 0;
                continue;
            }

            // (r^a) * exp(a (1 - r)) peaks at exactly 1 when r = 1, i.e. at the time to peak.
            float ratio = since / tissue.TimeToPeakSeconds;
            float firstPass = MathF.Exp(GammaAlpha * (MathF.Log(ratio) + 1 - ratio));
            float leakage = tissue.LeakageFraction * (1 - MathF.Exp(-since / LeakageTimeConstantSeconds));
            curve[frame] = tissue.AmplitudeMm * (firstPass + leakage);
        }
    }
}
