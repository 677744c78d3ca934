using System.CommandLine;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache verify TYPE KEY</c> or <c>verify --all</c>: reads every payload byte and checks it
/// against the record's checksums; bad files are quarantined. Exit code 1 when any was bad.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        Argument<string?> type = new("TYPE") { Description = "The result type (with KEY).", Arity = ArgumentArity.ZeroOrOne };
        Argument<string?> key = new("KEY") { Description = "The entry's key.", Arity = ArgumentArity.ZeroOrOne };
        Option<bool> all = new("--all") { Description = "Verify every segment file of the directory." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("verify", "Check payload checksums (one entry, or --all); corrupt files are moved to the quarantine. Exit code 1 if any was corrupt.") { type, key, all, json };
        command.Validators.Add(result =>
        {
            bool one = result.GetValue(type) is not null && result.GetValue(key) is not null;
            if (one == result.GetValue(all) || (result.GetValue(type) is null) != (result.GetValue(key) is null))
            {
                result.AddError("give either TYPE KEY or --all.");
            }
        });
        CommandRunner.SetAction(command, parsed => parsed.GetValue(all) ? VerifyAll(parsed, parsed.GetValue(json)) : VerifyOne(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!, parsed.GetValue(json)));
        return command;
    }

    private static int VerifyOne(ParseResult parsed, string type, string key, bool json)
    {
        (IntermediateCache cache, StoredSegment segment) = CacheAccess.OpenEntry(parsed, type, key);
        using (cache)
        {
            bool ok = cache.Verify(type, key) == true;
            Write(json, checkedFiles: 1, ok ? [] : [$"{segment.Path}: payload checksum mismatch"]);
            return ok ? ExitCodes.Ok : ExitCodes.Failure;
        }
    }

    private static int VerifyAll(ParseResult parsed, bool json)
    {
        using IntermediateCache cache = CacheAccess.Open(parsed);
        int files = cache.ListSegments().Count;
        VerifyReport report = ProgressDisplay.Run("verify", files, bytes: false, progress =>
            cache.VerifyAll(new FileProgress(progress)));

        Write(json, report.Checked, report.Corrupt);
        return report.Corrupt.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static void Write(bool json, int checkedFiles, IReadOnlyList<string> corrupt)
    {
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("checked", checkedFiles);
                writer.WriteStartArray("corrupt");
                foreach (string line in corrupt)
                {
                    writer.WriteStringValue(line);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return;
        }

        Console.WriteLine($"checked {checkedFiles} segment file(s): {(corrupt.Count == 0 ? "all intact" : $"{corrupt.Count} corrupt, moved to the quarantine")}");
        foreach (string line in corrupt)
        {
            Console.WriteLine("  " + line);
        }
    }

    /// <summary>VerifyAll's files-done reports, passed on as they come.</summary>
    private sealed class FileProgress(IProgress<long> files) : IProgress<VerifyProgress>
    {
        public void Report(VerifyProgress value) => files.Report(value.Done);
    }
}
