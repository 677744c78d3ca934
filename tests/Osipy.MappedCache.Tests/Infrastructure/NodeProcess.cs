namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// A node's worker as a real process (TestChild "node"), with its own session and connections to
/// the cluster, driven one command at a time: <see cref="Do"/> sends a line and returns the
/// child's answer (for example "ok", "miss", "2", "filled 3").
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly ChildProcess _child;

    private NodeProcess(ChildProcess child)
    {
        _child = child;
        _child.WaitForLine("= ready");
    }

    public int Id => _child.Id;

    /// <summary>Starts a worker on the node whose cache directory is <paramref name="cacheDir"/>; options as TestChild's Node takes them (--secret, --timeout-ms, --lease-ms, --max-age).</summary>
    public static NodeProcess Start(string cacheDir, string redis, string prefix, params string[] options) =>
        new(ChildProcess.Start(["node", cacheDir, redis, prefix, .. options]));

    public string Do(string command, TimeSpan? timeout = null)
    {
        _child.Send(command);
        return _child.WaitForLine("= ", timeout)[2..];
    }

    /// <summary>Sends a command without waiting for its answer (to kill the worker while it runs).</summary>
    public void Send(string command) => _child.Send(command);

    public void KillHard() => _child.KillHard();

    /// <summary>Ends the worker normally (its session closes).</summary>
    public void Exit()
    {
        _child.Send("exit");
        _child.WaitForExit();
    }

    public void Dispose() => _child.Dispose();
}
