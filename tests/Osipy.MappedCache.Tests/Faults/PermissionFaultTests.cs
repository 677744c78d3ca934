using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Faults;

/// <summary>
/// Permission faults, seen by an unprivileged user (root ignores permission bits, so the scenario
/// runs in a child process as uid 65534 through setpriv).
/// </summary>
public sealed class PermissionFaultTests : IDisposable
{
    private const int Nobody = 65534;

    private readonly string _root = Directory.CreateTempSubdirectory("osipy-mc-perm-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void UnreadableSegment_AndReadOnlyTypeDirectory_GiveClearExceptions_AndLoseNothing()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Skip("Needs root and setpriv to run the scenario as an unprivileged user.");
        }

        // The child (uid 65534) must be able to reach its cache directory and the test binaries.
        File.SetUnixFileMode(_root, (UnixFileMode)0x1FF);
        string cacheDir = Path.Combine(_root, "cache");

        using var child = ChildProcess.StartAs(Nobody, "permission-faults", cacheDir);
        List<string> output = child.ReadToEnd();
        string all = string.Join(Environment.NewLine, output) + child.Stderr;
        if (child.WaitForExit() != 0 && all.Contains("denied", StringComparison.OrdinalIgnoreCase) && output.Count == 0)
        {
            Assert.Skip($"uid {Nobody} cannot run the test binaries here: {all}");
        }

        Assert.Contains(output, l => l.StartsWith("unreadable-get: IOException:", StringComparison.Ordinal) && l.Contains("Permission denied", StringComparison.Ordinal));
        Assert.Contains(output, l => l.StartsWith("readonly-put: UnauthorizedAccessException:", StringComparison.Ordinal) || (l.StartsWith("readonly-put: IOException:", StringComparison.Ordinal) && l.Contains("denied", StringComparison.OrdinalIgnoreCase)));
        Assert.Contains(output, l => l.StartsWith("readonly-create:", StringComparison.Ordinal) && l.Contains("Exception", StringComparison.Ordinal) && !l.Contains("no exception", StringComparison.Ordinal));
        Assert.Contains("readonly-get-kept: ok", output);
    }
}
