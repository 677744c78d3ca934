using System.CommandLine;
using System.Diagnostics;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache export TYPE KEY OUT</c>: an array entry written to .npy, or to NIfTI-1 .nii /
/// .nii.gz (reordered to NIfTI's first-index-fastest order, with the <c>nifti.*</c> header fields an
/// import kept), straight from the mapping. The file appears only once complete.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = CommonOptions.Key();
        Argument<FileInfo> output = new("OUT") { Description = "The file to write: .npy, .nii or .nii.gz." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("export", "Write an array entry to a .npy or NIfTI-1 (.nii, .nii.gz) file, straight from its mapping.") { type, key, output, json };
        CommandRunner.SetAction(command, parsed =>
        {
            string path = parsed.GetValue(output)!.FullName;
            FileFormats.Kind format = FileFormats.Of(path);
            if (format == FileFormats.Kind.OsipyNpz)
            {
                throw new CommandException($"'{path}': export writes .npy, .nii or .nii.gz; osipy's .npz files are only read (by import).");
            }

            (IntermediateCache cache, StoredSegment segment) = CacheAccess.OpenEntry(parsed, parsed.GetValue(type)!, parsed.GetValue(key)!);
            using (cache)
            {
                CacheEntry entry = segment.Entry;
                if (entry.IsBundle)
                {
                    throw new CommandException($"'{entry.Key}' of type '{entry.ResultType}' is a bundle ({string.Join(", ", entry.ArrayNames)}); these formats hold one array.");
                }

                long started = Stopwatch.GetTimestamp();
                ElementTypes.Dispatch(entry.ElementType!, new WriteFile(cache, entry, path, format));
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (parsed.GetValue(json))
                {
                    JsonOutput.Write(writer =>
                    {
                        writer.WriteStartObject();
                        writer.WriteString("type", entry.ResultType);
                        writer.WriteString("key", entry.Key);
                        writer.WriteString("path", path);
                        writer.WriteString("format", format == FileFormats.Kind.Npy ? "npy" : "nifti1");
                        writer.WriteNumber("bytes", entry.SizeBytes);
                        writer.WriteNumber("seconds", Math.Round(seconds, 4));
                        writer.WriteEndObject();
                    });
                }
                else
                {
                    Console.WriteLine($"exported {entry.ResultType}/{entry.Key} to {path}: {Report.Size(entry.SizeBytes)} in {Report.Duration(TimeSpan.FromSeconds(seconds))}");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private sealed class WriteFile(IntermediateCache cache, CacheEntry entry, string path, FileFormats.Kind format) : IElementVisitor<bool>
    {
        public bool Visit<T>()
            where T : unmanaged
        {
            using MappedArray<T> array = cache.Get<T>(entry.ResultType, entry.Key)
                ?? throw new CommandException($"'{entry.Key}' of type '{entry.ResultType}' was removed while being exported.");
            ElementType fileType = FileFormats.FileType(typeof(T));
            long[] shape = [.. array.Shape.Select(d => (long)d)];
            var source = new MappedWindows.Source<T>(array);
            ProgressDisplay.Run("export", source.ByteLength, bytes: true, progress =>
            {
                if (format == FileFormats.Kind.Npy)
                {
                    NpyFile.Write(path, source, fileType, shape, progress);
                }
                else
                {
                    NiftiFile.Write(path, source, fileType, shape, entry.Metadata, progress);
                }

                return true;
            });
            return true;
        }
    }
}
