using System.CommandLine;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache clear [--type T] [--yes] [--dry-run]</c>: removes every entry (of one type), every
/// session's, PERSISTENT ones included, after a confirmation (<see cref="Confirmation"/>) that
/// <c>--yes</c> skips; <c>--dry-run</c> lists what would go and removes nothing.
/// </summary>
internal static class ClearCommand
{
    public static Command Create()
    {
        Option<string?> type = new("--type") { Description = "Only entries of this result type (without it, the quarantine is emptied too).", HelpName = "TYPE" };
        Option<bool> yes = new("--yes", "-y") { Description = "Remove without asking (needed when standard input is not a terminal)." };
        Option<bool> dryRun = new("--dry-run") { Description = "List what would be removed; remove nothing." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command(
            "clear",
            "Remove every entry, PERSISTENT and CACHED, of every session (of one result type with --type); with --redis, from the cluster too. Asks first on a terminal; --yes to skip the question, --dry-run to list what would go.")
        {
            type, yes, dryRun, json,
        };
        CommandRunner.SetAction(command, parsed =>
        {
            string? only = parsed.GetValue(type);
            using IntermediateCache cache = CacheAccess.Open(parsed);
            CacheAccess.RequireClusterIfUsedWithOne(parsed, cache);
            IReadOnlyList<StoredSegment> before = cache.ListSegments(only);
            long bytes = before.Sum(s => s.FileBytes);
            string what = $"{before.Count} entr{(before.Count == 1 ? "y" : "ies")} ({Report.Size(bytes)}){(only is null ? string.Empty : $" of type {only}")}";
            bool dry = parsed.GetValue(dryRun);
            if (dry)
            {
                Write(parsed.GetValue(json), only, before, bytes, dryRun: true, $"would remove {what} from {cache.CacheDir}; nothing removed (--dry-run)");
                return ExitCodes.Ok;
            }

            // Nothing to lose, nothing to ask; but a script without --yes is refused whatever the
            // directory holds, so that it does not work on an empty cache and fail on a full one.
            if (!parsed.GetValue(yes))
            {
                string refusal = $"not removing {what} from {cache.CacheDir} without confirmation: standard input is not a terminal to ask on. "
                    + "Pass --yes (-y) to clear without asking, or --dry-run to list what would go.";
                if ((before.Count > 0 || Console.IsInputRedirected) && !Confirmation.Ask($"remove {what} from {cache.CacheDir}?", refusal))
                {
                    Console.Error.WriteLine("osipy-cache clear: nothing removed.");
                    return ExitCodes.Failure;
                }
            }

            cache.Clear(only);
            Write(parsed.GetValue(json), only, before, bytes, dryRun: false, $"removed {what} from {cache.CacheDir}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Write(bool json, string? only, IReadOnlyList<StoredSegment> segments, long bytes, bool dryRun, string summary)
    {
        if (!json)
        {
            if (dryRun)
            {
                foreach (StoredSegment segment in segments)
                {
                    Console.WriteLine($"{segment.Entry.ResultType}/{segment.Entry.Key}  {Names.Policy(segment.Entry.Policy)}  {Report.Size(segment.FileBytes)}  {segment.Path}");
                }
            }

            Console.WriteLine(summary);
            return;
        }

        JsonOutput.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", only);
            writer.WriteNumber("entries", segments.Count);
            writer.WriteNumber("file_bytes", bytes);
            writer.WriteBoolean("dry_run", dryRun);
            if (dryRun)
            {
                writer.WriteStartArray("would_remove");
                foreach (StoredSegment segment in segments)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", segment.Entry.ResultType);
                    writer.WriteString("key", segment.Entry.Key);
                    writer.WriteString("policy", Names.Policy(segment.Entry.Policy));
                    writer.WriteNumber("file_bytes", segment.FileBytes);
                    writer.WriteString("path", segment.Path);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        });
    }
}
