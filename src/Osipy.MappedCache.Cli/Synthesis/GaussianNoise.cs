namespace Osipy.MappedCache.Cli.Synthesis;

/// <summary>Standard normal deviates from a seeded <see cref="Random"/> (Box-Muller), reproducible from run to run.</summary>
/// <remarks>Not thread-safe: give each thread its own instance and seed.</remarks>
internal sealed class GaussianNoise(int seed)
{
    // A seeded Random keeps its sequence across .NET versions; the unseeded one does not promise that.
    private readonly Random _random = new(seed);
    private float _spare;
    private bool _hasSpare;

    public float Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        // 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        double radius = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble()));
        (double sin, double cos) = Math.SinCos(2 * Math.PI * _random.NextDouble());
        _spare = (float)(radius * sin);
        _hasSpare = true;
        return (float)(radius * cos);
    }
}
