using System.CommandLine;
using System.Diagnostics;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Cli.Output;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache import FILE --type T --key K [--policy P]</c>: a .npy (any supported dtype, C or
/// Fortran order) or a NIfTI-1 .nii / .nii.gz (3D maps, 4D DCE series; scl_slope/scl_inter applied
/// where set; header fields kept as <c>nifti.*</c> metadata) read straight into a new segment, or a
/// .npz that osipy's own cache wrote (its result type must be --type; its key is only an MD5 in
/// the file's name, so --key gives it).
/// </summary>
/// <remarks>Nothing is published unless the whole file was read and checked: a truncated or corrupt file leaves no entry and no temporary file.</remarks>
internal static class ImportCommand
{
    public static Command Create()
    {
        Argument<FileInfo> file = CommonOptions.File("FILE", "A .npy, .nii or .nii.gz file, or a .npz file of osipy's own cache.");
        Option<string> type = new("--type") { Description = "The result type to store it under.", Required = true, HelpName = "TYPE" };
        Option<string> key = new("--key") { Description = "The key to store it under.", Required = true, HelpName = "KEY" };
        Option<string> policy = new("--policy") { Description = "PERSISTENT (default: it outlives this command) or CACHED (gone when the command ends).", HelpName = "POLICY", DefaultValueFactory = _ => "PERSISTENT" };
        policy.AcceptOnlyFromAmong("PERSISTENT", "CACHED", "persistent", "cached");
        Option<bool> json = CommonOptions.Json();
        var command = new Command("import", "Read a .npy or NIfTI-1 (.nii, .nii.gz) file into a new cache entry, zero-copy into its segment (NIfTI header fields become metadata), or a .npz of osipy's own cache (array or dict, with its metadata).") { file, type, key, policy, json };
        CommandRunner.SetAction(command, parsed =>
        {
            string path = parsed.GetValue(file)!.FullName;
            string resultType = parsed.GetValue(type)!;
            string entryKey = parsed.GetValue(key)!;
            _ = Names.TryParsePolicy(parsed.GetValue(policy)!, out RetentionPolicy retention);
            long started = Stopwatch.GetTimestamp();
            Imported imported = FileFormats.Of(path) switch
            {
                FileFormats.Kind.Npy => FromNpy(parsed, path, resultType, entryKey, retention),
                FileFormats.Kind.OsipyNpz => FromOsipyNpz(parsed, path, resultType, entryKey, retention),
                _ => FromNifti(parsed, path, resultType, entryKey, retention),
            };
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (parsed.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", resultType);
                    writer.WriteString("key", entryKey);
                    writer.WriteString("policy", Names.Policy(retention));
                    writer.WriteString("source", path);
                    writer.WriteString("format", imported.Format);
                    writer.WriteString("dtype", imported.DType);
                    writer.WriteStartArray("shape");
                    foreach (int dim in imported.Shape)
                    {
                        writer.WriteNumberValue(dim);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("arrays");
                    foreach (string name in imported.Arrays)
                    {
                        writer.WriteStringValue(name);
                    }

                    writer.WriteEndArray();
                    writer.WriteBoolean("scaled", imported.Scaled);
                    writer.WriteNumber("bytes", imported.Bytes);
                    writer.WriteNumber("seconds", Math.Round(seconds, 4));
                    writer.WriteEndObject();
                });
            }
            else
            {
                string what = imported.Arrays.Count > 0 ? $"bundle of {string.Join(", ", imported.Arrays)}" : $"{imported.DType} {Names.Shape(imported.Shape)}";
                Console.WriteLine($"imported {Path.GetFileName(path)} as {resultType}/{entryKey}: {what}, {Report.Size(imported.Bytes)}{(imported.Scaled ? ", scl_slope/scl_inter applied" : string.Empty)}, {Names.Policy(retention)}, in {Report.Duration(TimeSpan.FromSeconds(seconds))}");
            }

            if (retention != RetentionPolicy.Persistent)
            {
                Console.Error.WriteLine("note: a CACHED entry ends with the session that wrote it, and this command's session has ended.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record Imported(string Format, string DType, int[] Shape, long Bytes, bool Scaled)
    {
        /// <summary>The arrays of a bundle (osipy's dict data); empty for one array.</summary>
        public IReadOnlyList<string> Arrays { get; init; } = [];
    }

    /// <summary>
    /// A file osipy's own cache wrote: the library checks it (type, members, sizes, checksums; nothing
    /// unpickled) and stores it as a put, one array or a bundle, with osipy's metadata.
    /// </summary>
    private static Imported FromOsipyNpz(ParseResult parsed, string path, string resultType, string key, RetentionPolicy policy)
    {
        // osipy names its files md5("type:key").npz: a name of that form for another key is probably a wrong --key.
        string name = Path.GetFileNameWithoutExtension(path);
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{resultType}:{key}")));
        if (name.Length == expected.Length && name.All(char.IsAsciiHexDigitLower) && name != expected)
        {
            Console.Error.WriteLine($"note: osipy keeps '{resultType}:{key}' in {expected}.npz, not {name}.npz; is --key the one osipy used?");
        }

        using IntermediateCache cache = CacheAccess.OpenOrCreate(parsed, new Dictionary<string, RetentionPolicy> { [resultType] = policy });
        CacheEntry entry = cache.ImportOsipyFile(path, resultType, key)!; // never null: the policy is PERSISTENT or CACHED
        return new Imported("osipy-npz", entry.IsBundle ? "bundle" : Names.DType(entry.ElementType!), [.. entry.Shape], entry.SizeBytes, Scaled: false) { Arrays = entry.ArrayNames };
    }

    private static Imported FromNpy(ParseResult parsed, string path, string resultType, string key, RetentionPolicy policy)
    {
        using NpyReader reader = NpyFile.Open(path);
        var metadata = new Dictionary<string, object?> { ["source"] = Path.GetFileName(path), ["format"] = "npy" };
        int[] shape = IntShape(reader.Shape, path);
        Store(parsed, resultType, key, policy, FileFormats.ClrType(reader.ElementType), shape, metadata, reader.ByteLength, (destination, progress) => reader.ReadInto(destination, progress));
        return new Imported("npy", reader.ElementType.Name, shape, reader.ByteLength, Scaled: false);
    }

    private static Imported FromNifti(ParseResult parsed, string path, string resultType, string key, RetentionPolicy policy)
    {
        using NiftiReader reader = NiftiFile.Open(path);
        var metadata = new Dictionary<string, object?>(reader.Metadata) { ["source"] = Path.GetFileName(path), ["format"] = "nifti1" };
        if (reader.ScalingApplied)
        {
            metadata["nifti.stored_datatype"] = reader.StoredElementType.Name; // the values are scaled: the type stored is informative only
        }

        int[] shape = IntShape(reader.Shape, path);
        Store(parsed, resultType, key, policy, FileFormats.ClrType(reader.ElementType), shape, metadata, reader.StoredByteLength, (destination, progress) => reader.ReadInto(destination, progress));
        return new Imported("nifti1", reader.ElementType.Name, shape, reader.ByteLength, reader.ScalingApplied);
    }

    private static int[] IntShape(IReadOnlyList<long> shape, string path) =>
        [.. shape.Select(d => d <= int.MaxValue ? (int)d : throw new CommandException($"'{path}' has a dimension of {d}; the cache's dimensions stop at {int.MaxValue}."))];

    /// <summary>Creates the entry, lets the reader fill its mapping (with progress), and commits only if that succeeded.</summary>
    private static void Store(ParseResult parsed, string resultType, string key, RetentionPolicy policy, Type element, int[] shape,
        IReadOnlyDictionary<string, object?> metadata, long progressTotal, Action<ArrayDestination, IProgress<long>> read)
    {
        using IntermediateCache cache = CacheAccess.OpenOrCreate(parsed, new Dictionary<string, RetentionPolicy> { [resultType] = policy });
        ElementTypes.Dispatch(element, new CreateAndFill(cache, resultType, key, shape, metadata, progressTotal, read));
    }

    private sealed class CreateAndFill(IntermediateCache cache, string resultType, string key, int[] shape, IReadOnlyDictionary<string, object?> metadata,
        long progressTotal, Action<ArrayDestination, IProgress<long>> read) : IElementVisitor<bool>
    {
        public bool Visit<T>()
            where T : unmanaged
        {
            using MappedArrayWriter<T> writer = cache.Create<T>(resultType, key, shape, metadata);
            ProgressDisplay.Run("import", progressTotal, bytes: true, progress =>
            {
                read(new MappedWindows.Destination<T>(writer), progress);
                return true;
            });
            writer.Commit().Dispose(); // disposing an uncommitted writer (a read that threw) publishes nothing
            return true;
        }
    }
}
