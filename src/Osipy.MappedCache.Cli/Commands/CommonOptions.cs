using System.CommandLine;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>The options every command shares.</summary>
internal static class CommonOptions
{
    /// <summary><c>--cache-dir</c>, accepted by every command (the library's default directory when absent).</summary>
    public static Option<string?> CacheDir { get; } = new("--cache-dir")
    {
        Description = "The cache directory; a leading ~ is the home directory (default: the library's, <temp>/osipy_cache_<user>).",
        HelpName = "DIR",
        Recursive = true,
    };

    /// <summary>
    /// <c>--redis</c>, accepted by every command: the cluster the directory's node shares PERSISTENT
    /// entries through (a StackExchange.Redis configuration string); default <c>OSIPY_CACHE_REDIS</c>.
    /// </summary>
    public static Option<string?> Redis { get; } = new("--redis")
    {
        Description = "The Redis Cluster the directory is used with (default: $OSIPY_CACHE_REDIS), so that rm and clear reach it; "
            + "$OSIPY_CACHE_REDIS_PREFIX, $OSIPY_CACHE_REDIS_PASSWORD and $OSIPY_CACHE_REDIS_SECRET set the key prefix, password and shared secret.",
        HelpName = "CONF",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OSIPY_CACHE_REDIS") is { Length: > 0 } conf ? conf : null,
    };

    /// <summary>A new <c>--json</c> option: the command writes one JSON document (docs/CLI.md) instead of a table.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Write the result as one JSON document (shape in docs/CLI.md)." };

    /// <summary>
    /// A file argument. A leading <c>~</c> is the home directory (<see cref="CacheConfig.ExpandHome"/>):
    /// a shell leaves a quoted <c>'~/t1.nii'</c> as it is, and it must not become a file under a directory named <c>~</c>.
    /// </summary>
    public static Argument<FileInfo> File(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => new FileInfo(CacheConfig.ExpandHome(result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty)),
    };

    public static Argument<string> ResultType() => new("TYPE") { Description = "The result type, for example t1_map." };

    public static Argument<string> Key() => new("KEY") { Description = "The entry's key." };
}
