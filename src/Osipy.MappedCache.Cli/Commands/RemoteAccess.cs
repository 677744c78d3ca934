using System.CommandLine;
using Osipy.MappedCache.Redis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// The command's connection to the cluster named by <c>--redis</c> (or <c>OSIPY_CACHE_REDIS</c>):
/// one tier for the whole command, closed when it ends. Secrets come from the environment only
/// (<c>OSIPY_CACHE_REDIS_PASSWORD</c>, <c>OSIPY_CACHE_REDIS_SECRET</c>), never from the command line,
/// where other users' <c>ps</c> would show them.
/// </summary>
internal static class RemoteAccess
{
    private static RedisRemoteTier? s_tier;

    public static RedisRemoteTier? TierFor(ParseResult parsed)
    {
        if (s_tier is not null || parsed.GetValue(CommonOptions.Redis) is not { } configuration)
        {
            return s_tier;
        }

        try
        {
            s_tier = new RedisRemoteTier(new RedisRemoteTierOptions
            {
                Configuration = configuration,
                KeyPrefix = Environment.GetEnvironmentVariable("OSIPY_CACHE_REDIS_PREFIX") is { Length: > 0 } prefix ? prefix : "osipy",
                Password = Environment.GetEnvironmentVariable("OSIPY_CACHE_REDIS_PASSWORD") is { Length: > 0 } password ? password : null,
                SharedSecret = Environment.GetEnvironmentVariable("OSIPY_CACHE_REDIS_SECRET") is { Length: > 0 } secret ? secret : null,
            });
        }
        catch (ArgumentException ex)
        {
            throw new CommandException($"--redis: {ex.Message}");
        }

        return s_tier;
    }

    public static void Close()
    {
        s_tier?.Dispose();
        s_tier = null;
    }
}
