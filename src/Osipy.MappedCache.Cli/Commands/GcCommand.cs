using System.CommandLine;
using System.Diagnostics;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache gc</c>: removes what dead sessions left in a cache directory (their CACHED
/// segments, unfinished temporary files and session files, and raw copies of compressed entries
/// that are gone, in the directories they wrote into), and the records of fills in blocks nobody
/// resumed within <see cref="CacheConfig.UnfinishedFillRetention"/>, and reports it with the time it took.
/// Live sessions are never touched, so it is safe to run while pipelines are working.
/// </summary>
internal static class GcCommand
{
    public static Command Create()
    {
        Option<bool> json = CommonOptions.Json();
        Option<long?> maxDisk = DiskSizeOption.Create("Also trim the directory to this disk budget, as a put under MaxDiskMb would: raw copies first, then entries, least recently used first.");
        var command = new Command("gc", "Remove what dead sessions left behind (their CACHED segments, unfinished temporary files, session files, raw copies of compressed entries that are gone) and unfinished fills in blocks nobody resumed for a day; live sessions and fills in progress are never touched. Opening any cache does this too. With --max-disk, also trim the directory to that budget. With --redis, also sweep the cluster for chunk keys no manifest names.") { json, maxDisk };
        CommandRunner.SetAction(command, parsed =>
        {
            // Opening a session reclaims; the stopwatch covers the directory checks, the session's
            // own registration and the reclaim itself.
            long start = Stopwatch.GetTimestamp();
            using IntermediateCache cache = CacheAccess.Open(parsed, maxDiskMb: parsed.GetValue(maxDisk) ?? 0);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            ReclaimReport report = cache.LastReclaim;
            if (parsed.GetValue(maxDisk) is not null)
            {
                cache.TrimToDiskBudget();
            }

            CacheStats stats = cache.GetStats();
            long? orphans = RemoteAccess.TierFor(parsed)?.SweepOrphans(); // with --redis: the cluster's orphans too
            if (parsed.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("cache_dir", cache.CacheDir);
                    JsonOutput.Reclaimed(writer, report);
                    writer.WriteNumber("elapsed_ms", Math.Round(elapsed.TotalMilliseconds, 3));
                    writer.WriteNumber("disk_entries", stats.DiskEntries);
                    writer.WriteNumber("disk_size_bytes", stats.DiskSizeBytes);
                    writer.WriteNumber("disk_used_bytes", stats.DiskUsedBytes);
                    writer.WriteNumber("max_disk_mb", stats.MaxDiskMb);
                    writer.WriteNumber("disk_evictions", stats.DiskEvictions);
                    if (orphans is { } swept)
                    {
                        writer.WriteNumber("remote_orphans", swept);
                    }

                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }

            Console.WriteLine($"cache directory: {cache.CacheDir}");
            Console.WriteLine(
                $"reclaimed {report.Sessions} dead session(s): {report.Segments} CACHED segment(s), {report.TempFiles} temporary file(s), " +
                $"{report.RawCopies} raw cop{(report.RawCopies == 1 ? "y" : "ies")} whose compressed entry is gone, " +
                $"{report.UnfinishedFills} unfinished fill(s) nobody resumed, " +
                $"{report.Bytes / (1024.0 * 1024.0):F1} MiB, in {elapsed.TotalMilliseconds:F1} ms");
            Console.WriteLine($"the directory now holds {stats.DiskEntries} segment(s), {stats.DiskSizeBytes / (1024.0 * 1024.0):F1} MiB");
            if (stats.MaxDiskMb > 0)
            {
                Console.WriteLine($"disk budget {stats.MaxDiskMb} MiB: {stats.DiskUsedBytes / (1024.0 * 1024.0):F1} MiB used, {stats.DiskEvictions} entr{(stats.DiskEvictions == 1 ? "y" : "ies")} removed to fit");
            }

            if (orphans is { } removed)
            {
                Console.WriteLine($"removed {removed} orphaned key(s) from the cluster");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
