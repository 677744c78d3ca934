using System.CommandLine;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache explain TYPE KEY</c>: an entry's provenance key (hit or not) and the nearest other
/// entry of the same function, with one line per component that differs: why the function has
/// more than one entry (<see cref="IntermediateCache.Explain(string, string)"/>).
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = new("KEY") { Description = "The entry's key, a provenance key's text such as fit_t1@d6c6fb62e114538a17b5aa053fbcb861." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command(
            "explain",
            "Show what an entry was computed from (its provenance key's components) and how it differs from the nearest other entry of the same function.")
        { type, key, json };
        CommandRunner.SetAction(command, parsed =>
        {
            using IntermediateCache cache = CacheAccess.Open(parsed);
            ExplainResult explained = cache.Explain(parsed.GetValue(type)!, parsed.GetValue(key)!);
            if (parsed.GetValue(json))
            {
                WriteJson(explained);
            }
            else
            {
                WriteText(explained);
            }

            return explained.Hit ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static void WriteJson(ExplainResult explained) =>
        JsonOutput.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("hit", explained.Hit);
            writer.WriteString("key", explained.Key);
            writer.WriteString("function", explained.Function);
            ProvenanceOutput.Components(writer, explained.Components);
            writer.WriteString("nearest", explained.NearestKey);
            writer.WriteStartArray("changed");
            foreach (string line in explained.Changed)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    private static void WriteText(ExplainResult explained)
    {
        Console.WriteLine($"{Printable.Escape(explained.Key)}: {(explained.Hit ? "stored" : "not stored")}, function {Printable.Escape(explained.Function)}");
        foreach (string line in ProvenanceOutput.Lines(explained.Components))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine(explained.NearestKey is null ? "nearest other entry: none" : $"nearest other entry: {Printable.Escape(explained.NearestKey)}");
        foreach (string line in explained.Changed)
        {
            Console.WriteLine($"  {Printable.Escape(line)}");
        }
    }
}
