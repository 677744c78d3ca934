using CommunityToolkit.HighPerformance;
using Osipy.MappedCache.Cli.Output;
using Osipy.MappedCache.Cli.Synthesis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>The demo's checks that what comes back from the cache is what was put.</summary>
internal static class DemoChecks
{
    /// <summary>Prints the outcome of one check and returns it.</summary>
    public static bool Check(string what, bool passed)
    {
        Report.Line($"[{(passed ? "ok" : "FAILED")}] {what}");
        return passed;
    }

    /// <summary>Whether the sampled voxels' whole curves equal the source's, bit for bit.</summary>
    public static bool SampledRowsMatch(Phantom phantom, ReadOnlySpan2D<float> view, ReadOnlySpan2D<float> source)
    {
        foreach ((int row, _, _, _) in SampleVoxels(phantom))
        {
            if (!view.GetRowSpan(row).SequenceEqual(source.GetRowSpan(row)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the sampled voxels' T1 equals the phantom's, recomputed rather than kept (it may come from an earlier run).</summary>
    public static bool SampledT1Matches(Phantom phantom, ReadOnlySpan<float> t1Map)
    {
        foreach ((int row, int x, int y, int z) in SampleVoxels(phantom))
        {
            if (t1Map[row] != phantom.T1At(x, y, z))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether every curve of a voxel with T1 = 0 (outside the body) is all zeros, as synthesised.</summary>
    public static bool OutsideIsZero(ReadOnlySpan2D<float> curves, ReadOnlySpan<float> t1Map)
    {
        for (int row = 0; row < curves.Height; row++)
        {
            if (t1Map[row] == 0 && curves.GetRowSpan(row).IndexOfAnyExcept(0f) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Two corners, the centre, the lesion's centre and a few fixed pseudo-random voxels, with their row in C order.</summary>
    private static List<(int Row, int X, int Y, int Z)> SampleVoxels(Phantom phantom)
    {
        VolumeSize size = phantom.Size;
        var picks = new List<(int X, int Y, int Z)> { (0, 0, 0), (size.X - 1, size.Y - 1, size.Z - 1), (size.X / 2, size.Y / 2, size.Z / 2), phantom.LesionCentre };
        var random = new Random(SyntheticDce.DefaultSeed);
        for (int i = 0; i < 8; i++)
        {
            picks.Add((random.Next(size.X), random.Next(size.Y), random.Next(size.Z)));
        }

        // VolumeSize keeps the element count within one array, so a voxel's row fits in an int.
        return picks.ConvertAll(p => ((((p.X * size.Y) + p.Y) * size.Z) + p.Z, p.X, p.Y, p.Z));
    }
}
