using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// A real 3-master Redis Cluster on free loopback ports, started once for the tests that need it
/// (redis-server --cluster-enabled yes, then redis-cli --cluster create) and shut down at the end.
/// Where redis-server is not installed, <see cref="Unavailable"/> says why and the tests skip.
/// </summary>
public class RedisClusterFixture : IRemoteTestStore, IDisposable
{
    private const int Masters = 3;

    private readonly List<Process> _servers = [];
    private readonly string _root;
    private readonly string[] _cliSecurity;

    public RedisClusterFixture()
        : this(_ => new ClusterSecurity([], [], string.Empty))
    {
    }

    /// <summary>A cluster whose servers take extra arguments (a password, TLS), made by <paramref name="secure"/> in the fixture's own directory.</summary>
    protected RedisClusterFixture(Func<string, ClusterSecurity> secure)
    {
        _root = Directory.CreateTempSubdirectory("osipy-mc-redis-").FullName;
        _cliSecurity = [];
        if (Command.Run("redis-server", "--version").ExitCode != 0)
        {
            Unavailable = "redis-server is not installed (apt-get install redis-server)";
            return;
        }

        ClusterSecurity security;
        try
        {
            security = secure(_root);
        }
        catch (InvalidOperationException ex)
        {
            Unavailable = ex.Message;
            return;
        }

        _cliSecurity = security.CliArguments;

        var ports = new HashSet<int>();
        while (ports.Count < Masters)
        {
            ports.Add(FreePort());
        }

        Ports = [.. ports];
        foreach (int port in Ports)
        {
            string dir = Path.Combine(_root, port.ToString());
            Directory.CreateDirectory(dir);
            var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            string[] listen = security.ServerArguments.Contains("--tls-cluster") ? ["--port", "0", "--tls-port", port.ToString()] : ["--port", port.ToString()];
            foreach (string arg in listen.Concat(new[]
            {
                "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                "--cluster-config-file", Path.Combine(dir, "nodes.conf"), "--dir", dir,
                "--save", string.Empty, "--appendonly", "no", "--protected-mode", "yes", "--cluster-node-timeout", "2000",
            }).Concat(security.ServerArguments))
            {
                start.ArgumentList.Add(arg);
            }

            Process server = Process.Start(start)!;
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            _servers.Add(server);
        }

        foreach (int port in Ports)
        {
            WaitFor(() => CliAt(port, "ping").Contains("PONG", StringComparison.Ordinal), $"redis-server on port {port} to answer");
        }

        var create = new List<string>(_cliSecurity) { "--cluster", "create" };
        create.AddRange(Ports.Select(p => $"127.0.0.1:{p}"));
        create.Add("--cluster-yes");
        (int exit, string output) = Command.Run("redis-cli", [.. create]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
        }

        foreach (int port in Ports)
        {
            WaitFor(() => CliAt(port, "cluster", "info").Contains("cluster_state:ok", StringComparison.Ordinal), $"node {port} to report cluster_state:ok");
        }

        Configuration = string.Join(",", Ports.Select(p => $"127.0.0.1:{p}")) + security.ConfigurationSuffix;
    }

    /// <summary>The fixture's own directory (servers' data, certificates).</summary>
    public string Root => _root;

    /// <summary>Why the cluster could not be started; null when it runs.</summary>
    public string? Unavailable { get; }

    public int[] Ports { get; } = [];

    /// <summary>The StackExchange.Redis configuration string of the cluster's nodes.</summary>
    public string Configuration { get; } = string.Empty;

    /// <summary>SIGKILLs the master on <paramref name="port"/>: its slots become unreachable.</summary>
    public void KillMaster(int port)
    {
        Process server = _servers[Array.IndexOf(Ports, port)];
        server.Kill();
        server.WaitForExit();
    }

    /// <summary>SIGSTOPs every server: the cluster stops answering (an outage), its state kept.</summary>
    public void Pause() => _servers.ForEach(s => Command.Run("kill", "-STOP", s.Id.ToString()));

    /// <summary>SIGCONTs every server after <see cref="Pause"/>.</summary>
    public void Resume() => _servers.ForEach(s => Command.Run("kill", "-CONT", s.Id.ToString()));

    /// <summary>
    /// Chunk keys of <paramref name="prefix"/> that nothing will ever remove: no time to live, and
    /// not part of the upload their entry's manifest names. Empty when the tier leaks nothing.
    /// </summary>
    public List<string> OrphanChunks(string prefix)
    {
        var orphans = new List<string>();
        foreach (string chunk in Keys(prefix + ":c:*"))
        {
            string[] parts = chunk.Split(':'); // prefix:c:<id>:<version>:<i>
            if (Cli("TTL", chunk).Trim() != "-1")
            {
                continue; // expires by itself (or already gone)
            }

            string manifest = Cli("GET", "{" + prefix + "}:m:" + parts[^3]);
            if (!manifest.Contains("\"version\":\"" + parts[^2] + "\"", StringComparison.Ordinal))
            {
                orphans.Add(chunk);
            }
        }

        return orphans;
    }

    /// <summary>Runs CONFIG SET on every master.</summary>
    public void ConfigSetEverywhere(string parameter, string value)
    {
        foreach (int port in Ports)
        {
            CliAt(port, "CONFIG", "SET", parameter, value);
        }
    }

    /// <summary>Runs redis-cli against the cluster (-c follows slot redirections).</summary>
    public string Cli(params string[] args) => Command.Run("redis-cli", [.. _cliSecurity, "-c", "-p", Ports[0].ToString(), .. args]).Output;

    /// <summary>Runs redis-cli against one node (for scans, which are per node).</summary>
    public string CliAt(int port, params string[] args) => Command.Run("redis-cli", [.. _cliSecurity, "-p", port.ToString(), .. args]).Output;

    /// <summary>Every key matching <paramref name="pattern"/> on every master.</summary>
    public string[] Keys(string pattern) =>
        [.. Ports.SelectMany(port => CliAt(port, "--scan", "--pattern", pattern).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        foreach (Process server in _servers)
        {
            try
            {
                if (!server.HasExited)
                {
                    server.Kill();
                    server.WaitForExit();
                }
            }
            catch (InvalidOperationException)
            {
            }

            server.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            using var tick = new ManualResetEventSlim();
            tick.Wait(TimeSpan.FromMilliseconds(100)); // polling a server we started: there is no event to wait on
        }
    }

    internal static int FreePort()
    {
        // Cluster nodes also listen on port + 10000 (the bus): pick ports whose bus port is free too.
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port + 10000 <= 65535 && IsFree(port + 10000))
            {
                return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>How a cluster is secured: its servers' extra arguments, redis-cli's, and what follows the addresses in the configuration string.</summary>
public sealed record ClusterSecurity(string[] ServerArguments, string[] CliArguments, string ConfigurationSuffix);

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis cluster";
}
