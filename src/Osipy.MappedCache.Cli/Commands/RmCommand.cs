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
        var command = new Command("rm", "Remove one entry (with --redis, from the cluster and so from every node too); processes that have it mapped keep their data, later gets miss.") { type, key, json };
        CommandRunner.SetAction(command, parsed =>
        {
            if (RemoteAccess.TierFor(parsed) is not null && RemoveFromClusterOnly(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!, parsed.GetValue(json)))
            {
                return ExitCodes.Ok;
            }

            (IntermediateCache cache, StoredSegment segment) = CacheAccess.OpenEntry(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!);
            using (cache)
            {
                CacheAccess.RequireClusterIfUsedWithOne(parsed, cache);
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

    /// <summary>With a cluster, an entry this node has no copy of is still removed everywhere; true when that was the case.</summary>
    private static bool RemoveFromClusterOnly(ParseResult parsed, string type, string key, bool json)
    {
        using IntermediateCache cache = CacheAccess.Open(parsed);
        if (cache.ListSegments(type).Any(s => s.Entry.Key == key))
        {
            return false; // a local copy: the usual path reports its file
        }

        cache.Invalidate(type, key);
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNull("removed");
                writer.WriteNumber("file_bytes", 0);
                writer.WriteBoolean("cluster", true);
                writer.WriteEndObject();
            });
        }
        else
        {
            Console.WriteLine($"removed {type}/{key} from the cluster (no copy on this node)");
        }

        return true;
    }
}
