using System.CommandLine;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>osipy-cache clear [--type T]</c>: removes every entry (of one type), every session's.</summary>
internal static class ClearCommand
{
    public static Command Create()
    {
        Option<string?> type = new("--type") { Description = "Only entries of this result type (without it, the quarantine is emptied too).", HelpName = "TYPE" };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("clear", "Remove every entry, PERSISTENT and CACHED, of every session (of one result type with --type); with --redis, from the cluster too.") { type, json };
        CommandRunner.SetAction(command, parsed =>
        {
            string? only = parsed.GetValue(type);
            using IntermediateCache cache = CacheAccess.Open(parsed);
            CacheAccess.RequireClusterIfUsedWithOne(parsed, cache);
            IReadOnlyList<StoredSegment> before = cache.ListSegments(only);
            cache.Clear(only);
            long bytes = before.Sum(s => s.FileBytes);
            if (parsed.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", only);
                    writer.WriteNumber("entries", before.Count);
                    writer.WriteNumber("file_bytes", bytes);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.WriteLine($"removed {before.Count} entr{(before.Count == 1 ? "y" : "ies")} ({Report.Size(bytes)}){(only is null ? string.Empty : $" of type {only}")} from {cache.CacheDir}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
