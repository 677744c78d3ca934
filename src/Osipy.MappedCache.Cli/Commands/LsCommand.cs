using System.CommandLine;
using Osipy.MappedCache.Cli.Output;
using Spectre.Console;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>osipy-cache ls [--type T] [--json]</c>: every entry of the directory, one row each.</summary>
internal static class LsCommand
{
    public static Command Create()
    {
        Option<string?> type = new("--type") { Description = "Only entries of this result type.", HelpName = "TYPE" };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("ls", "List the entries: type, key, policy, kind, dtype, shape, size, age, and whether the session that wrote it is alive.") { type, json };
        CommandRunner.SetAction(command, parsed =>
        {
            using IntermediateCache cache = CacheAccess.Open(parsed);
            IReadOnlyList<StoredSegment> segments = cache.ListSegments(parsed.GetValue(type));
            DateTimeOffset now = DateTimeOffset.UtcNow;
            if (parsed.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("cache_dir", cache.CacheDir);
                    writer.WriteStartArray("entries");
                    foreach (StoredSegment segment in segments)
                    {
                        writer.WriteStartObject();
                        JsonOutput.Entry(writer, segment, now);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }

            // A tags column only where some entry has tags: untagged caches list as before.
            bool tagged = segments.Any(segment => segment.Entry.Tags.Count > 0);
            var table = new Table().AddColumns("type", "key", "policy", "kind", "dtype", "shape", "size", "age", "session");
            if (tagged)
            {
                table.AddColumn("tags");
            }

            foreach (StoredSegment segment in segments)
            {
                CacheEntry entry = segment.Entry;
                List<string> row =
                [
                    Markup.Escape(entry.ResultType),
                    Markup.Escape(entry.Key),
                    Names.Policy(entry.Policy),
                    (entry.IsBundle ? "bundle" : "array") + (segment.IsCompressed ? " (lz4)" : string.Empty),
                    entry.ElementType is { } t ? Names.DType(t) : string.Join(',', entry.ArrayNames),
                    Names.Shape(entry.Shape),
                    Report.Size(entry.SizeBytes),
                    Names.Age(now - entry.CreatedAt),
                    segment.SessionAlive ? "alive" : "ended",
                ];
                if (tagged)
                {
                    row.Add(Markup.Escape(string.Join(", ", entry.Tags)));
                }

                table.AddRow([.. row]);
            }

            Terminal.Out.Write(table);
            Terminal.Out.WriteLine($"{segments.Count} entr{(segments.Count == 1 ? "y" : "ies")} in {cache.CacheDir}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
