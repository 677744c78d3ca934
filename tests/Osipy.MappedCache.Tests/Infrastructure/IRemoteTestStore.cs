namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>A real server the remote tier's contract tests run against: a Redis Cluster, or Garnet.</summary>
public interface IRemoteTestStore
{
    /// <summary>Why the store could not be started; null when it runs.</summary>
    string? Unavailable { get; }

    /// <summary>The StackExchange.Redis configuration string.</summary>
    string Configuration { get; }

    /// <summary>Runs a command (redis-cli) against the store, following redirections.</summary>
    string Cli(params string[] args);

    /// <summary>Every key matching <paramref name="pattern"/>.</summary>
    string[] Keys(string pattern);
}
