using Garnet;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// A Garnet server (Microsoft Research's RESP store) hosted in the test process on a free loopback
/// port, standalone, with Lua and pub/sub on: the remote tier's contract tests run against it as
/// against the Redis Cluster. Commands and scans go through redis-cli; without it, the tests skip.
/// </summary>
public sealed class GarnetFixture : IRemoteTestStore, IDisposable
{
    private readonly GarnetServer? _server;
    private readonly int _port;

    public GarnetFixture()
    {
        if (Command.Run("redis-cli", "--version").ExitCode != 0)
        {
            Unavailable = "redis-cli is not installed (apt-get install redis-server), and the tests drive the server through it";
            return;
        }

        _port = RedisClusterFixture.FreePort();
        _server = new GarnetServer(["--port", _port.ToString(), "--bind", "127.0.0.1", "--lua"]);
        _server.Start();
        Configuration = $"127.0.0.1:{_port}";
    }

    public string? Unavailable { get; }

    public string Configuration { get; } = string.Empty;

    public string Cli(params string[] args) => Command.Run("redis-cli", ["-p", _port.ToString(), .. args]).Output;

    public string[] Keys(string pattern) =>
        [.. Cli("--scan", "--pattern", pattern).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];

    public void Dispose() => _server?.Dispose();
}

[CollectionDefinition(Name)]
public sealed class GarnetCollection : ICollectionFixture<GarnetFixture>
{
    public const string Name = "garnet";
}
