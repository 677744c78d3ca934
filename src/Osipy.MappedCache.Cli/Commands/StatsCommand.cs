using System.CommandLine;
using Osipy.MappedCache.Cli.Output;
using Spectre.Console;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>osipy-cache stats [--json]</c>: the directory's statistics, per-type counts and sizes, the quarantine, dead sessions found.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        Option<bool> json = CommonOptions.Json();
        Option<long?> maxDisk = DiskSizeOption.Create("The directory's disk budget, to show its use against (the budget is each session's setting, MaxDiskMb; nothing is removed here).");
        var command = new Command("stats", "Show the cache statistics, entries and bytes per result type and policy, the disk used (against --max-disk), the quarantine, and the dead sessions this open reclaimed.") { json, maxDisk };
        CommandRunner.SetAction(command, parsed =>
        {
            using IntermediateCache cache = CacheAccess.Open(parsed, maxDiskMb: parsed.GetValue(maxDisk) ?? 0);
            ReclaimReport reclaimed = cache.LastReclaim;
            CacheStats stats = cache.GetStats();
            var types = cache.ListSegments()
                .GroupBy(s => s.Entry.ResultType, StringComparer.Ordinal)
                .Select(g => (Type: g.Key, Entries: g.Count(), Bytes: g.Sum(s => s.FileBytes),
                    Persistent: g.Count(s => s.Entry.Policy == RetentionPolicy.Persistent), Cached: g.Count(s => s.Entry.Policy == RetentionPolicy.Cached)))
                .ToList();
            if (parsed.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("cache_dir", stats.CacheDir);
                    writer.WriteNumber("disk_entries", stats.DiskEntries);
                    writer.WriteNumber("disk_size_bytes", stats.DiskSizeBytes);
                    writer.WriteNumber("disk_used_bytes", stats.DiskUsedBytes);
                    writer.WriteNumber("max_disk_mb", stats.MaxDiskMb);
                    writer.WriteNumber("quarantine_files", stats.QuarantineFiles);
                    writer.WriteNumber("quarantine_bytes", stats.QuarantineBytes);
                    writer.WriteStartObject("dead_sessions_reclaimed");
                    JsonOutput.Reclaimed(writer, reclaimed);
                    writer.WriteEndObject();
                    writer.WriteStartArray("types");
                    foreach (var t in types)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("type", t.Type);
                        writer.WriteNumber("entries", t.Entries);
                        writer.WriteNumber("file_bytes", t.Bytes);
                        writer.WriteNumber("persistent", t.Persistent);
                        writer.WriteNumber("cached", t.Cached);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("type", "entries", "PERSISTENT", "CACHED", "on disk");
            foreach (var t in types)
            {
                table.AddRow(Markup.Escape(t.Type), $"{t.Entries}", $"{t.Persistent}", $"{t.Cached}", Report.Size(t.Bytes));
            }

            Terminal.Out.WriteLine($"cache directory   {stats.CacheDir}");
            Terminal.Out.WriteLine($"entries on disk   {stats.DiskEntries} ({Report.Size(stats.DiskSizeBytes)})");
            Terminal.Out.WriteLine($"disk used         {Report.Size(stats.DiskUsedBytes)}{(stats.MaxDiskMb > 0 ? $" of a {Report.Size(stats.MaxDiskMb * 1024L * 1024)} budget" : " (no budget given: --max-disk SIZE)")}");
            Terminal.Out.WriteLine($"quarantine        {stats.QuarantineFiles} file(s), {Report.Size(stats.QuarantineBytes)}");
            Terminal.Out.WriteLine($"dead sessions     {reclaimed.Sessions} reclaimed by this open ({reclaimed.Segments} CACHED segment(s), {reclaimed.TempFiles} temporary file(s), {reclaimed.RawCopies} raw copies, {Report.Size(reclaimed.Bytes)})");
            Terminal.Out.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
