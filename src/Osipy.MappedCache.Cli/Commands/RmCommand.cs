using System.CommandLine;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache rm TYPE KEY</c>: removes one entry; <c>osipy-cache rm --tag TAG</c>: every entry carrying the
/// tag (live leases in other processes keep their data).
/// </summary>
internal static class RmCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = CommonOptions.Key();
        type.Arity = ArgumentArity.ZeroOrOne; // absent with --tag
        key.Arity = ArgumentArity.ZeroOrOne;
        Option<bool> json = CommonOptions.Json();
        var tag = new Option<string?>("--tag")
        {
            Description = "Remove every entry carrying this tag instead (every session's, with their raw copies; with --redis, from the cluster and every node too).",
            HelpName = "TAG",
        };
        var command = new Command("rm", "Remove one entry, or with --tag every entry carrying a tag (with --redis, from the cluster and so from every node too); processes that have it mapped keep their data, later gets miss.") { type, key, tag, json };
        CommandRunner.SetAction(command, parsed =>
        {
            if (parsed.GetValue(tag) is { } erased)
            {
                return parsed.GetValue(type) is null && parsed.GetValue(key) is null
                    ? RemoveTagged(parsed, erased, parsed.GetValue(json))
                    : throw new CommandException("rm takes TYPE KEY or --tag TAG, not both.");
            }

            if (parsed.GetValue(type) is null || parsed.GetValue(key) is null)
            {
                throw new CommandException("rm needs TYPE KEY (one entry) or --tag TAG (every entry carrying the tag).");
            }

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

    /// <summary><c>rm --tag TAG</c>: every entry carrying the tag, as <see cref="IntermediateCache.InvalidateTag"/> removes them.</summary>
    private static int RemoveTagged(ParseResult parsed, string tag, bool json)
    {
        using IntermediateCache cache = CacheAccess.Open(parsed);
        CacheAccess.RequireClusterIfUsedWithOne(parsed, cache);
        int removed = cache.InvalidateTag(tag);
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("tag", tag);
                writer.WriteNumber("entries", removed);
                writer.WriteEndObject();
            });
        }
        else
        {
            Console.WriteLine($"removed {removed} entr{(removed == 1 ? "y" : "ies")} tagged '{tag}' from {cache.CacheDir}");
        }

        return ExitCodes.Ok;
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
