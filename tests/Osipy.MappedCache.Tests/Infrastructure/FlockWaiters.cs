namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// Who waits for a flock, from /proc/locks, where the kernel lists each blocked request under the
/// lock it waits for ("1: -> FLOCK  ADVISORY  WRITE &lt;pid&gt; &lt;maj:min:inode&gt; 0 EOF"): a test can see
/// that a process is blocked on a lock rather than guess it from time.
/// </summary>
public static class FlockWaiters
{
    /// <summary>Whether process <paramref name="pid"/> waits for a flock on the file with inode <paramref name="inode"/>.</summary>
    public static bool IsWaiting(int pid, ulong inode)
    {
        string pidText = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string inodeSuffix = ":" + inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string line in File.ReadLines("/proc/locks"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int arrow = Array.IndexOf(fields, "->");
            if (arrow > 0 && fields.Length > arrow + 5 && fields[arrow + 1] == "FLOCK" && fields[arrow + 4] == pidText && fields[arrow + 5].EndsWith(inodeSuffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
