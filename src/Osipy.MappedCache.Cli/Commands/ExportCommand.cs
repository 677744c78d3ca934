using System.CommandLine;
using System.Diagnostics;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache export TYPE KEY OUT</c>: an array entry written to .npy, or to NIfTI-1 .nii /
/// .nii.gz (reordered to NIfTI's first-index-fastest order, with the <c>nifti.*</c> header fields an
/// import kept), straight from the mapping. The file appears only once complete, and replaces an
/// existing one only with <c>--force</c>.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        Argument<string> type = CommonOptions.ResultType();
        Argument<string> key = CommonOptions.Key();
        Argument<FileInfo> output = CommonOptions.File("OUT", "The file to write: .npy, .nii or .nii.gz.");
        Option<bool> force = new("--force") { Description = "Replace OUT if it exists (without it, an existing file is an error)." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("export", "Write an array entry to a .npy or NIfTI-1 (.nii, .nii.gz) file, straight from its mapping.") { type, key, output, force, json };
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

                if (format == FileFormats.Kind.Nifti && NiftiShapeProblem(entry.Shape) is { } problem)
                {
                    throw new CommandException($"NIfTI-1 needs 1 to 7 dimensions of 1 to {short.MaxValue} voxels; {entry.ResultType}/{entry.Key} {problem}: export it as .npy.");
                }

                bool overwrite = parsed.GetValue(force);
                if (!overwrite && Path.Exists(path))
                {
                    throw new CommandException($"{path} exists; pass --force to replace it.");
                }

                long started = Stopwatch.GetTimestamp();
                ElementTypes.Dispatch(entry.ElementType!, new WriteFile(cache, entry, path, format, overwrite));
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

    /// <summary>Why NIfTI-1 cannot hold an array of <paramref name="shape"/>, in words that follow its name; null when it can.</summary>
    private static string? NiftiShapeProblem(IReadOnlyList<int> shape) =>
        shape.Count == 0 ? "is a 0-d array (a single value)"
        : shape.Count > 7 ? $"is a {shape.Count}-d array"
        : shape.Contains(0) ? $"is empty (shape {Names.Shape(shape)})"
        : shape.Any(d => d > short.MaxValue) ? $"has a dimension of {shape.Max()}"
        : null;

    private sealed class WriteFile(IntermediateCache cache, CacheEntry entry, string path, FileFormats.Kind format, bool overwrite) : IElementVisitor<bool>
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
                    NpyFile.Write(path, source, fileType, shape, progress, overwrite);
                }
                else
                {
                    NiftiFile.Write(path, source, fileType, shape, entry.Metadata, progress, overwrite);
                }

                return true;
            });
            return true;
        }
    }
}
