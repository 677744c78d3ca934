using System.CommandLine;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>osipy-cache path TYPE KEY</c>: the segment's file, for <c>numpy.load(path, mmap_mode='r')</c>.</summary>
internal static class PathCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = CommonOptions.Key();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("path", "Print the entry's segment file (a plain .npy for an uncompressed array: numpy.load(path, mmap_mode='r')).") { type, key, json };
        CommandRunner.SetAction(command, parsed =>
        {
            (IntermediateCache cache, StoredSegment segment) = CacheAccess.OpenEntry(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!);
            using (cache)
            {
                if (parsed.GetValue(json))
                {
                    JsonOutput.Write(writer =>
                    {
                        writer.WriteStartObject();
                        writer.WriteString("path", segment.Path);
                        writer.WriteBoolean("npy", !segment.IsCompressed && !segment.Entry.IsBundle);
                        writer.WriteEndObject();
                    });
                }
                else
                {
                    Console.WriteLine(segment.Path);
                    if (segment.IsCompressed || segment.Entry.IsBundle)
                    {
                        Console.Error.WriteLine($"note: a {(segment.IsCompressed ? "compressed" : "bundle")} segment is not a plain .npy file; 'osipy-cache export' writes one.");
                    }
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
