namespace Osipy.MappedCache.TestChild;

/// <summary>The files this process maps, from /proc/self/maps: which inode backs a lease, even for an unlinked file.</summary>
public static class ProcessMaps
{
    /// <summary>The distinct (inode, path) of file mappings under <paramref name="directory"/>, but the shared generation table.</summary>
    public static List<(ulong Inode, string Path)> FilesUnder(string directory)
    {
        var found = new List<(ulong Inode, string Path)>();
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            // address perms offset device inode path (the path may end in " (deleted)")
            string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 6 && parts[5].StartsWith(directory + "/", StringComparison.Ordinal) && !parts[5].EndsWith("/generations", StringComparison.Ordinal) && !parts[5].EndsWith("/last-use", StringComparison.Ordinal))
            {
                (ulong, string) file = (ulong.Parse(parts[4]), parts[5]);
                if (!found.Contains(file))
                {
                    found.Add(file);
                }
            }
        }

        return found;
    }
}
