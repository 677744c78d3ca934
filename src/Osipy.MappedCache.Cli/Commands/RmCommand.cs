using System.CommandLine;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>osipy-cache rm TYPE KEY</c>: removes one entry (live leases in other processes keep their data).</summary>
internal static class RmCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = CommonOptions.Key();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("rm", "Remove one entry; processes that have it mapped keep their data, later gets miss.") { type, key, json };
        CommandRunner.SetAction(command, parsed =>
        {
            (IntermediateCache cache, StoredSegment segment) = CacheAccess.OpenEntry(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!);
            using (cache)
            {
                cache.Invalidate(segment.Entry.ResultType, segment.Entry.Key);
                if (parsed.GetValue(json))
                {
                    JsonOutput.Write(writer =>
                    {
                        writer.WriteStartObject();
                        writer.WriteString("removed", segment.Path);
                        writer.WriteNumber("file_bytes", segment.FileBytes);
                        writer.WriteEndObject();
                    });
                }
                else
                {
                    Console.WriteLine($"removed {segment.Entry.ResultType}/{segment.Entry.Key} ({Report.Size(segment.FileBytes)})");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
