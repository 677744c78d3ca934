using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Osipy.MappedCache.Cli.Analysis;
using Osipy.MappedCache.Cli.Output;
using Spectre.Console;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>osipy-cache show TYPE KEY</c>: the record and metadata, the provenance key's components when it has one, and min/max/mean/NaN count of the values, computed over the mapping.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = CommonOptions.Key();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("show", "Show an entry's record and metadata, and the min, max, mean and NaN count of its values (read zero-copy from the mapping).") { type, key, json };
        CommandRunner.SetAction(command, parsed =>
        {
            (IntermediateCache cache, StoredSegment segment) = CacheAccess.OpenEntry(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!);
            using (cache)
            {
                CacheEntry entry = segment.Entry;
                List<(string Name, MappedArray Array)> arrays = [];
                MappedBundle? bundle = null;
                MappedArray? single = null;
                try
                {
                    if (entry.IsBundle)
                    {
                        bundle = cache.GetBundle(entry.ResultType, entry.Key) ?? throw Gone(entry);
                        arrays.AddRange(bundle.Select(pair => (pair.Key, pair.Value)));
                    }
                    else
                    {
                        single = ElementTypes.Get(cache, entry.ResultType, entry.Key, entry.ElementType!) ?? throw Gone(entry);
                        arrays.Add((string.Empty, single));
                    }

                    var summaries = arrays.Select(a => (a.Name, a.Array, Summary: ValueSummary.Summarise(a.Array))).ToList();
                    if (parsed.GetValue(json))
                    {
                        WriteJson(segment, summaries);
                    }
                    else
                    {
                        WriteText(segment, summaries);
                    }

                    return ExitCodes.Ok;
                }
                finally
                {
                    single?.Dispose();
                    bundle?.Dispose();
                }
            }
        });
        return command;
    }

    private static CommandException Gone(CacheEntry entry) => new($"'{entry.Key}' of type '{entry.ResultType}' was removed while being read.");

    private static void WriteJson(StoredSegment segment, List<(string Name, MappedArray Array, ValueSummary Summary)> summaries) =>
        JsonOutput.Write(writer =>
        {
            writer.WriteStartObject();
            JsonOutput.Entry(writer, segment, DateTimeOffset.UtcNow);
            writer.WritePropertyName("metadata");
            JsonOutput.Value(writer, segment.Entry.Metadata);
            ProvenanceOutput.Key(writer, segment.Entry.Provenance);
            writer.WriteStartArray("values");
            foreach ((string name, MappedArray array, ValueSummary summary) in summaries)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("dtype", Names.DType(array.ElementType));
                writer.WriteStartArray("shape");
                foreach (int dim in array.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteNumber("count", summary.Count);
                writer.WriteNumber("nan_count", summary.NaNCount);
                Number(writer, "min", summary.Min);
                Number(writer, "max", summary.Max);
                Number(writer, "mean", summary.Mean);
                writer.WriteString("of", summary.Of);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteText(StoredSegment segment, List<(string Name, MappedArray Array, ValueSummary Summary)> summaries)
    {
        CacheEntry entry = segment.Entry;
        var record = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => record.AddRow(name, Markup.Escape(value));
        Row("type", entry.ResultType);
        Row("key", entry.Key);
        Row("policy", Names.Policy(entry.Policy));
        Row("kind", (entry.IsBundle ? "bundle" : "array") + (segment.IsCompressed ? ", compressed (LZ4)" : string.Empty));
        Row("created", $"{entry.CreatedAt.ToString("u", CultureInfo.InvariantCulture)} ({Names.Age(DateTimeOffset.UtcNow - entry.CreatedAt)} ago)");
        Row("size", $"{Report.Size(entry.SizeBytes)} of data, {Report.Size(segment.FileBytes)} on disk");
        Row("session", $"{segment.SessionId} ({(segment.SessionAlive ? "alive" : "ended")})");
        Row("path", segment.Path);
        if (entry.Tags.Count > 0)
        {
            Row("tags", string.Join(", ", entry.Tags));
        }

        Terminal.Out.Write(record);
        ProvenanceKey? provenance = entry.Provenance;
        var metadata = entry.Metadata.Where(pair => provenance is null || pair.Key != ProvenanceOutput.Property).ToList();
        Terminal.Out.WriteLine(metadata.Count == 0 ? "metadata  (none)" : "metadata");
        foreach ((string name, object? value) in metadata)
        {
            Terminal.Out.WriteLine($"  {name} = {JsonSerializer.Serialize(value)}");
        }

        if (provenance is not null)
        {
            // What the entry was computed from (a provenance key): 'osipy-cache explain' compares it with the function's other entries.
            Terminal.Out.WriteLine($"provenance  {Formats.Printable.Escape(provenance.Function)} (encoding {provenance.Encoding})");
            foreach (string line in ProvenanceOutput.Lines(provenance.Components))
            {
                Terminal.Out.WriteLine(line);
            }
        }

        var values = new Table().AddColumns("array", "dtype", "shape", "min", "max", "mean", "NaN");
        foreach ((string name, MappedArray array, ValueSummary summary) in summaries)
        {
            values.AddRow(
                Markup.Escape(name.Length == 0 ? "(array)" : name),
                Names.DType(array.ElementType) + (summary.Of == "magnitudes" ? " (|z|)" : string.Empty),
                Names.Shape(array.Shape),
                Format(summary.Min),
                Format(summary.Max),
                Format(summary.Mean),
                $"{summary.NaNCount}");
        }

        Terminal.Out.Write(values);
    }

    private static string Format(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "-";
}
