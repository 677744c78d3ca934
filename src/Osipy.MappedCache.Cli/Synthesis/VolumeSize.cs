using System.Globalization;

namespace Osipy.MappedCache.Cli.Synthesis;

/// <summary>The extent of a 4D DCE series: <see cref="X"/> x <see cref="Y"/> x <see cref="Z"/> voxels, <see cref="T"/> time points.</summary>
internal readonly record struct VolumeSize(int X, int Y, int Z, int T)
{
    /// <summary>Enough frames for the baseline, the bolus and some washout.</summary>
    public const int MinTimePoints = 8;

    /// <summary>A typical clinical DCE acquisition, and big enough (120 MiB) for mapping to matter.</summary>
    public static VolumeSize Default { get; } = new(128, 128, 32, 60);

    public long VoxelCount => (long)X * Y * Z;

    public long ElementCount => VoxelCount * T;

    /// <summary>The shape of a 3D map, C order.</summary>
    public int[] MapShape => [X, Y, Z];

    /// <summary>The shape of the series, C order: rows of the 2D view are voxels, columns are time points.</summary>
    public int[] SeriesShape => [X, Y, Z, T];

    public string MapLabel => $"{X}x{Y}x{Z}";

    public override string ToString() => $"{X}x{Y}x{Z}x{T}";

    /// <summary>Parses <c>XxYxZxT</c>, for example <c>128x128x32x60</c>.</summary>
    public static bool TryParse(string text, out VolumeSize size, out string? error)
    {
        size = default;
        string[] parts = text.Split('x');
        var dims = new int[4];
        if (parts.Length != dims.Length)
        {
            error = $"--size '{text}' is not of the form XxYxZxT (for example {Default}).";
            return false;
        }

        for (int i = 0; i < dims.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
            {
                error = $"--size '{text}': '{parts[i]}' is not a positive whole number.";
                return false;
            }
        }

        size = new VolumeSize(dims[0], dims[1], dims[2], dims[3]);
        if (size.T < MinTimePoints)
        {
            error = $"--size '{text}': at least {MinTimePoints} time points are needed for a baseline and an uptake.";
            return false;
        }

        // The series is synthesised into one managed float[] before it is put.
        if (size.ElementCount > Array.MaxLength)
        {
            error = $"--size '{text}' has {size.ElementCount} elements; this demo holds at most {Array.MaxLength} in one array.";
            return false;
        }

        error = null;
        return true;
    }
}
