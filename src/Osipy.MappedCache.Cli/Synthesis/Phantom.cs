namespace Osipy.MappedCache.Cli.Synthesis;

/// <summary>
/// An ellipsoidal body with tissue properties that vary smoothly in space, and one enhancing
/// lesion. Every property is a pure function of the voxel's position, so any voxel can be
/// recomputed later (the demo checks cached values against it without keeping the source).
/// </summary>
internal sealed class Phantom(VolumeSize size)
{
    private const double MinT1Ms = 800;
    private const double MaxT1Ms = 1600;

    // Semi-axes of the body in normalised coordinates ([-1, 1] across each dimension).
    private const double BodyU = 0.9;
    private const double BodyV = 0.75;
    private const double BodyW = 0.85;

    // A Gaussian blob: a lesion that enhances earlier and more, and leaks more, than the background.
    private const double LesionU = 0.3;
    private const double LesionV = -0.2;
    private const double LesionW = 0.1;
    private const double LesionSigma = 0.15;

    public VolumeSize Size { get; } = size;

    /// <summary>The voxel at the lesion's centre, which is always inside the body.</summary>
    public (int X, int Y, int Z) LesionCentre => (Index(LesionU, Size.X), Index(LesionV, Size.Y), Index(LesionW, Size.Z));

    /// <returns>False, with a default <paramref name="tissue"/>, outside the body.</returns>
    public bool TryGetTissue(int x, int y, int z, out Tissue tissue)
    {
        double u = Normalised(x, Size.X), v = Normalised(y, Size.Y), w = Normalised(z, Size.Z);
        if (Square(u / BodyU) + Square(v / BodyV) + Square(w / BodyW) > 1)
        {
            tissue = default;
            return false;
        }

        double lesion = Math.Exp(-(Square(u - LesionU) + Square(v - LesionV) + Square(w - LesionW)) / (2 * Square(LesionSigma)));
        double t1 = 1150 + (250 * Math.Sin(1.5 * Math.PI * u) * Math.Cos(Math.PI * v)) + (80 * w) + (300 * lesion);
        double amplitude = 0.45 + (0.25 * Math.Sin(Math.PI * u) * Math.Cos(0.8 * Math.PI * v)) + (0.1 * w) + lesion;
        double timeToPeak = 30 + (12 * Math.Cos((0.7 * Math.PI * u) + (0.5 * Math.PI * v))) - (15 * lesion);
        double leakage = 0.3 + (0.15 * v) + (0.4 * lesion);
        tissue = new Tissue(
            (float)Math.Clamp(t1, MinT1Ms, MaxT1Ms),
            (float)amplitude,
            (float)Math.Max(timeToPeak, 6),
            (float)Math.Clamp(leakage, 0, 1));
        return true;
    }

    /// <summary>The T1 map's value at a voxel: the tissue's T1, or 0 outside the body.</summary>
    public float T1At(int x, int y, int z) => TryGetTissue(x, y, z, out Tissue tissue) ? tissue.T1Ms : 0f;

    /// <summary>Voxel centres map to (-1, 1), so the body is centred whatever the dimension.</summary>
    private static double Normalised(int index, int count) => ((index + 0.5) / count * 2) - 1;

    private static int Index(double normalised, int count) => Math.Clamp((int)((normalised + 1) / 2 * count), 0, count - 1);

    private static double Square(double value) => value * value;
}
