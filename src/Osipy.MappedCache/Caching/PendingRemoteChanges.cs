using System.Globalization;
using System.Text.Json;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The node's durable journal of changes that could not reach the remote tier (an outage, a
/// back-off): one file per key under <c>remote/pending/</c> holding the key's latest such change
/// (an upload of a named write, or a removal), and one per cleared type. Replayed in the order
/// they were made when the tier is back, so a change made during an outage is neither forgotten
/// nor undone by the cluster's older state; until then this node serves it only locally.
/// </summary>
/// <remarks>Files are written whole (write, rename) and read as untrusted input. Thread-safe across processes: the last writer of a key's file wins, as the last local change of the key does.</remarks>
internal sealed class PendingRemoteChanges(string directory)
{
    /// <summary>A journalled change: <see cref="Key"/> null for a clear of <see cref="ResultType"/> (null: of everything).</summary>
    public sealed record Change(string File, long Sequence, string Operation, string? ResultType, string? Key, string? Stamp);

    public const string Upload = "upload";
    public const string Remove = "remove";
    public const string Clear = "clear";

    public void RecordUpload(EntryKey key, string stamp) => Write(FileOf(key), Upload, key.ResultType, key.Key, stamp);

    public void RecordRemove(EntryKey key) => Write(FileOf(key), Remove, key.ResultType, key.Key, stamp: null);

    public void RecordClear(string? resultType) =>
        Write("c-" + (resultType is null ? "all" : SegmentStore.Digest(resultType)), Clear, resultType, key: null, stamp: null);

    /// <summary>Whether the key has a journalled upload of exactly this write (its local copy exists nowhere else yet).</summary>
    public bool HasUpload(EntryKey key, string stamp) =>
        Read(Path.Combine(directory, FileOf(key))) is { Operation: Upload } change && change.Stamp == stamp;

    public bool IsEmpty => !Directory.EnumerateFiles(directory).Any(f => !Path.GetFileName(f).StartsWith('.'));

    /// <summary>Every journalled change, oldest first.</summary>
    public List<Change> ReadAll() =>
        [.. Directory.EnumerateFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.')).Select(Read).OfType<Change>().OrderBy(c => c.Sequence)];

    /// <summary>Removes a replayed change, unless a newer one of the same key replaced it meanwhile.</summary>
    public void Done(Change change)
    {
        if (Read(change.File) is { } now && now.Sequence == change.Sequence)
        {
            FileRemoval.TryDelete(change.File);
        }
    }

    /// <summary>Forgets the key's journalled change: a later change of the key reached the tier and supersedes it.</summary>
    public void Forget(EntryKey key)
    {
        string path = Path.Combine(directory, FileOf(key));
        if (File.Exists(path))
        {
            FileRemoval.TryDelete(path);
        }
    }

    private static string FileOf(EntryKey key) => "k-" + SegmentStore.Digest(key.ResultType.Length.ToString(CultureInfo.InvariantCulture) + ":" + key.ResultType + key.Key);

    private void Write(string name, string operation, string? resultType, string? key, string? stamp)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", DateTime.UtcNow.Ticks);
            writer.WriteString("op", operation);
            writer.WriteString("type", resultType);
            writer.WriteString("key", key);
            writer.WriteString("stamp", stamp);
            writer.WriteEndObject();
        }

        byte[] json = buffer.ToArray();
        string temp = Path.Combine(directory, "." + name + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture));
        File.WriteAllBytes(temp, json);
        File.Move(temp, Path.Combine(directory, name), overwrite: true);
    }

    private static Change? Read(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length > 1 << 20)
            {
                return null;
            }

            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            string operation = root.GetProperty("op").GetString() ?? string.Empty;
            string? type = root.GetProperty("type").GetString();
            string? key = root.GetProperty("key").GetString();
            return operation is Upload or Remove or Clear && (operation == Clear || (type is not null && key is not null))
                ? new Change(path, root.GetProperty("seq").GetInt64(), operation, type, key, root.GetProperty("stamp").GetString())
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }
}
