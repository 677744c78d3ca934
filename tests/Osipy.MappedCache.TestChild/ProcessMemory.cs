namespace Osipy.MappedCache.TestChild;

/// <summary>This process's resident memory by kind, from /proc/self/status, in KiB.</summary>
internal readonly record struct ProcessMemory(long RssAnonKb, long RssFileKb, long RssShmemKb)
{
    public static ProcessMemory Read()
    {
        long anon = 0, file = 0, shmem = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kb(line);
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                file = Kb(line);
            }
            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
            {
                shmem = Kb(line);
            }
        }

        return new ProcessMemory(anon, file, shmem);
    }

    private static long Kb(string line) => long.Parse(line.Split(':')[1].Trim().Split(' ')[0]);
}
