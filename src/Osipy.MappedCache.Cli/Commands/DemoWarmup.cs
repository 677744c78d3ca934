using Osipy.MappedCache.Cli.Synthesis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// Runs the whole demo once, silently, on a tiny study in a throwaway directory, so that the
/// timings printed afterwards show the cache's cost rather than the JIT compiling it on first call.
/// </summary>
/// <remarks>A separate session and directory: the real run's statistics and entries are untouched.</remarks>
internal static class DemoWarmup
{
    private static readonly VolumeSize s_tiny = new(4, 4, 4, VolumeSize.MinTimePoints);

    /// <param name="config">The demo's settings; only the directory is replaced.</param>
    /// <param name="study">The demo itself, given the settings and the study's size.</param>
    public static void Run(CacheConfig config, Func<CacheConfig, VolumeSize, int> study)
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("osipy-cache-warmup-");
        TextWriter console = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Null);
            study(config with { CacheDir = directory.FullName }, s_tiny);
        }
        finally
        {
            Console.SetOut(console);
            directory.Delete(recursive: true);
        }
    }
}
