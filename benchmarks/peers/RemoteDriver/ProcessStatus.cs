namespace Osipy.MappedCache.Peers;

/// <summary>Counters of this process from /proc/self/status.</summary>
internal static class ProcessStatus
{
    /// <summary>The value of a "Name:   123 kB" line, in KiB.</summary>
    public static long ReadKb(string name)
    {
        string prefix = name + ":";
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(prefix.Length).Trim().TrimEnd("kB").Trim());
            }
        }

        throw new InvalidDataException($"/proc/self/status has no {name} line.");
    }
}
