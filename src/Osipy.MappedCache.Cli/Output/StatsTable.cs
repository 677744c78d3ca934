namespace Osipy.MappedCache.Cli.Output;

/// <summary>Prints a <see cref="CacheStats"/> snapshot as a two-column table, one counter per line.</summary>
internal static class StatsTable
{
    public static void Write(CacheStats stats, TextWriter writer)
    {
        (string Name, string Value)[] rows =
        [
            (nameof(CacheStats.MemoryEntries), $"{stats.MemoryEntries}"),
            (nameof(CacheStats.MemorySizeMb), $"{stats.MemorySizeMb:F2}"),
            (nameof(CacheStats.MaxMemoryMb), $"{stats.MaxMemoryMb}"),
            (nameof(CacheStats.CacheDir), stats.CacheDir),
            (nameof(CacheStats.DiskEntries), $"{stats.DiskEntries}"),
            (nameof(CacheStats.DiskSizeBytes), $"{stats.DiskSizeBytes} ({Report.Size(stats.DiskSizeBytes)})"),
            (nameof(CacheStats.DiskUsedBytes), $"{stats.DiskUsedBytes} ({Report.Size(stats.DiskUsedBytes)}){(stats.MaxDiskMb > 0 ? $" of a {stats.MaxDiskMb} MiB budget" : string.Empty)}"),
            (nameof(CacheStats.DiskEvictions), $"{stats.DiskEvictions}"),
            (nameof(CacheStats.Hits), $"{stats.Hits}"),
            (nameof(CacheStats.Misses), $"{stats.Misses}"),
            (nameof(CacheStats.HitRate), $"{stats.HitRate:F3}"),
            (nameof(CacheStats.Evictions), $"{stats.Evictions}"),
            (nameof(CacheStats.Expirations), $"{stats.Expirations}"),
            (nameof(CacheStats.CorruptSegments), $"{stats.CorruptSegments}"),
        ];

        int width = rows.Max(r => r.Name.Length) + 2;
        foreach ((string name, string value) in rows)
        {
            writer.WriteLine($"  {name.PadRight(width)}{value}");
        }
    }
}
