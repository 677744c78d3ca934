using System.Globalization;
using System.Text.Json;
using Osipy.MappedCache.Files;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The node's durable journal of changes on their way to the remote tier: one file per key under
/// <c>remote/pending/</c> holding the key's latest change (an upload of the node's copy, or a
/// removal), and one per cleared type. A change is journalled before it is made locally, marked
/// failed when the tier could not take it (an outage, a back-off), and removed once the tier has
/// it. A session's check sends the failed ones, and those of sessions that died midway, oldest
/// first, when the tier is back; so a change made during an outage, or by a process killed
/// between its local and its remote step, is neither forgotten nor undone by the cluster's older
/// state. Until then the node serves it only locally.
/// </summary>
/// <remarks>
/// Files are written whole (write, rename) and read as untrusted input. The last writer of a
/// key's file wins, as the last local change of the key does; <see cref="Done"/> removes a file
/// only if it still holds the change it was given.
/// </remarks>
internal sealed class PendingRemoteChanges(string directory)
{
    public const string Upload = "upload";
    public const string Remove = "remove";
    public const string Clear = "clear";

    /// <summary>A journalled change: <see cref="ResultType"/> and <see cref="Key"/> name the key (a clear: <see cref="Key"/> null, and a null type clears everything).</summary>
    public sealed record Change(string File, long Sequence, string Operation, string? ResultType, string? Key, string Session, bool Failed);

    /// <summary>Journals a change of one key by <paramref name="session"/>, before it is made; <paramref name="failed"/> when it will not be tried now.</summary>
    public Change Record(EntryKey key, string operation, string session, bool failed) =>
        Write(Path.Combine(directory, FileOf(key)), operation, key.ResultType, key.Key, session, failed);

    public Change RecordClear(string? resultType, string session, bool failed) =>
        Write(Path.Combine(directory, "c-" + (resultType is null ? "all" : SegmentStore.Digest(resultType))), Clear, resultType, null, session, failed);

    /// <summary>The tier could not take the change: it waits for a check to send it.</summary>
    public void Fail(Change change)
    {
        if (Read(change.File) is { } now && now.Sequence == change.Sequence)
        {
            Write(change.File, change.Operation, change.ResultType, change.Key, change.Session, failed: true, change.Sequence);
        }
    }

    /// <summary>The tier has the change (or it was never made): forgotten, unless a newer change of the key replaced it meanwhile.</summary>
    public void Done(Change change)
    {
        if (Read(change.File) is { } now && now.Sequence == change.Sequence)
        {
            FileRemoval.TryDelete(change.File);
        }
    }

    /// <summary>Whether the key has a journalled upload: its local copy may exist nowhere else yet, so nothing the tier says removes it.</summary>
    public bool HasUpload(EntryKey key) => Read(Path.Combine(directory, FileOf(key))) is { Operation: Upload };

    /// <summary>Every journalled change, oldest first.</summary>
    public List<Change> ReadAll() =>
        [.. Directory.EnumerateFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.')).Select(Read).OfType<Change>().OrderBy(c => c.Sequence)];

    private static string FileOf(EntryKey key) => "k-" + SegmentStore.Digest(key.ResultType.Length.ToString(CultureInfo.InvariantCulture) + ":" + key.ResultType + key.Key);

    private static Change Write(string path, string operation, string? resultType, string? key, string session, bool failed, long? sequence = null)
    {
        long seq = sequence ?? DateTime.UtcNow.Ticks;
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", seq);
            writer.WriteString("op", operation);
            writer.WriteString("type", resultType);
            writer.WriteString("key", key);
            writer.WriteString("session", session);
            writer.WriteBoolean("failed", failed);
            writer.WriteEndObject();
        }

        string temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(temp, buffer.ToArray());
        File.Move(temp, path, overwrite: true);
        return new Change(path, seq, operation, resultType, key, session, failed);
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
            string session = root.GetProperty("session").GetString() ?? string.Empty;
            return operation is Upload or Remove or Clear && (operation == Clear || (type is not null && key is not null))
                ? new Change(path, root.GetProperty("seq").GetInt64(), operation, type, key, session, root.GetProperty("failed").GetBoolean())
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }
}
