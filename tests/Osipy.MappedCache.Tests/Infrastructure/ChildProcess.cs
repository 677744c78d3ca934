using System.Collections.Concurrent;
using System.Diagnostics;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// A real second process running tests/Osipy.MappedCache.TestChild: the tests read its output
/// line by line, write to its input, and kill it with SIGKILL.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _stderr = new();

    private ChildProcess(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
            }
            else
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>Starts the child with <paramref name="args"/>.</summary>
    public static ChildProcess Start(params string[] args) => new(StartInfo(args, prefix: []));

    /// <summary>Starts the child as another user (through setpriv), with a private HOME for the .NET host.</summary>
    public static ChildProcess StartAs(int uid, params string[] args)
    {
        ProcessStartInfo start = StartInfo(args, prefix: ["--reuid", uid.ToString(), "--regid", uid.ToString(), "--clear-groups", DotnetHost()]);
        start.FileName = "setpriv";
        start.Environment["HOME"] = "/tmp";
        start.Environment["DOTNET_CLI_HOME"] = "/tmp";
        return new ChildProcess(start);
    }

    /// <summary>Waits for an output line starting with <paramref name="prefix"/> and returns it.</summary>
    /// <exception cref="TimeoutException">The line did not come; the message holds what the child printed.</exception>
    public string WaitForLine(string prefix, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.TryTake(out string? line, deadline - DateTime.UtcNow))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }

                seen.Add(line);
            }
            else if (_lines.IsCompleted)
            {
                break;
            }
        }

        throw new TimeoutException($"No line starting with '{prefix}'. stdout: [{string.Join(" | ", seen)}] stderr: [{string.Join(" | ", _stderr)}]");
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a line starting with <paramref name="prefix"/>; other lines read meanwhile are dropped.</summary>
    public bool TryWaitForLine(string prefix, TimeSpan timeout, out string line)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && _lines.TryTake(out string? next, deadline - DateTime.UtcNow))
        {
            if (next.StartsWith(prefix, StringComparison.Ordinal))
            {
                line = next;
                return true;
            }
        }

        line = string.Empty;
        return false;
    }

    /// <summary>All remaining output lines, once the child has exited.</summary>
    public List<string> ReadToEnd(TimeSpan? timeout = null)
    {
        var lines = new List<string>();
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!_lines.IsCompleted && DateTime.UtcNow < deadline)
        {
            if (_lines.TryTake(out string? line, deadline - DateTime.UtcNow))
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>SIGKILL: no finally blocks, no disposal, no exit handlers run in the child.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public int WaitForExit(TimeSpan? timeout = null)
    {
        if (!_process.WaitForExit(timeout ?? DefaultTimeout))
        {
            throw new TimeoutException($"The child did not exit. stderr: [{string.Join(" | ", _stderr)}]");
        }

        _process.WaitForExit(); // drains the output handlers
        return _process.ExitCode;
    }

    public string Stderr => string.Join(Environment.NewLine, _stderr);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _lines.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] args, string[] prefix)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in prefix)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Osipy.MappedCache.TestChild.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static string DotnetHost()
    {
        string? fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromCli) && File.Exists(fromCli))
        {
            return fromCli;
        }

        return Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
    }
}
