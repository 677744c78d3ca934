using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;
using Osipy.MappedCache.Files;

namespace Osipy.MappedCache.Sessions;

/// <summary>
/// Removes what dead sessions left behind: their CACHED segments, unfinished temporary files and
/// session files, and, in the directories they wrote into, raw copies of compressed entries whose
/// compressed file is gone. A session is dead when its session file's flock can be taken: the
/// kernel drops the lock when the owning process exits, however it exits. Live sessions are never touched.
/// </summary>
/// <remarks>
/// Work is proportional to what the dead sessions journaled (and to the listing of the directories
/// they wrote temporaries into, with one statx per raw copy found there), never to the number or
/// size of segments in the cache: no payload is read. Journals are untrusted input: each line is
/// checked against the naming rules, and a segment is removed only if its own record says it is a
/// CACHED segment of the dead session. A raw copy is shared by the node, not owned by a session:
/// it goes only when its source has (a copy of an older source is replaced by the next get).
/// </remarks>
internal static partial class SessionReclaimer
{
    /// <summary>Journals beyond this are read only this far; a real one holds ~80 bytes per CACHED put.</summary>
    private const int MaxJournalBytes = 64 * 1024 * 1024;

    private const int MaxLineBytes = 512;

    public static ReclaimReport ReclaimDead(string sessionsDirectory, SegmentStore persistentStore, SegmentStore cachedStore, SegmentPublisher publisher, string ownSessionId)
    {
        int sessions = 0, segments = 0, temps = 0, rawCopies = 0;
        long bytes = 0;
        var swept = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(sessionsDirectory, "*" + SessionFile.Extension))
        {
            string id = Path.GetFileNameWithoutExtension(path);
            if (id == ownSessionId || !SessionIdPattern().IsMatch(id))
            {
                continue;
            }

            using SafeFileHandle? file = TryLockDead(path);
            if (file is null)
            {
                continue;
            }

            foreach (string line in ReadJournal(file))
            {
                if (ParseLine(line, persistentStore, cachedStore) is not { } item)
                {
                    continue;
                }

                if (item.IsTempDirectory)
                {
                    (int count, long size) = RemoveTempFiles(item.Path, id);
                    temps += count;
                    bytes += size;
                    if (swept.Add(item.Path))
                    {
                        (int copies, long copyBytes) = RemoveRawCopiesWithoutSource(publisher, item.Path, persistentStore);
                        rawCopies += copies;
                        bytes += copyBytes;
                    }
                }
                else if (RemoveIfCachedSegmentOf(publisher, item.Path, id) is long size)
                {
                    segments++;
                    bytes += size;
                }
            }

            FileRemoval.TryDelete(path);
            sessions++;
        }

        return sessions == 0 ? ReclaimReport.None : new ReclaimReport(sessions, segments, temps, bytes) { RawCopies = rawCopies };
    }

    /// <summary>
    /// Whether the session <paramref name="sessionId"/> is alive: its file exists and its owner holds
    /// the lock on it. Takes the lock for an instant when the owner is dead (and releases it), as
    /// the reclaim does, so it never disturbs a live session.
    /// </summary>
    public static bool IsAlive(string sessionsDirectory, string sessionId)
    {
        if (!SessionIdPattern().IsMatch(sessionId))
        {
            return false;
        }

        string path = Path.Combine(sessionsDirectory, sessionId + SessionFile.Extension);
        if (!File.Exists(path))
        {
            return false; // ended, or reclaimed
        }

        using SafeFileHandle? dead = TryLockDead(path);
        return dead is null && File.Exists(path);
    }

    /// <summary>The session file, locked by us, if its owner is dead; null if it is alive or gone.</summary>
    private static SafeFileHandle? TryLockDead(string path)
    {
        SafeFileHandle? file;
        try
        {
            file = SessionFile.OpenExisting(path);
        }
        catch (IOException)
        {
            return null; // a symlink or unreadable file is not a session we can judge
        }

        if (file is not null && Libc.Flock((int)file.DangerousGetHandle(), Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            file.Dispose();
            return null; // EWOULDBLOCK: the owner is alive
        }

        return file;
    }

    private static IEnumerable<string> ReadJournal(SafeFileHandle file)
    {
        long length = Math.Min(RandomAccess.GetLength(file), MaxJournalBytes);
        var buffer = new byte[(int)length];
        int read = 0;
        while (read < buffer.Length && RandomAccess.Read(file, buffer.AsSpan(read), read) is int n and > 0)
        {
            read += n;
        }

        int start = 0;
        for (int i = 0; i < read; i++)
        {
            if (buffer[i] == (byte)'\n')
            {
                if (i - start <= MaxLineBytes)
                {
                    yield return Encoding.UTF8.GetString(buffer, start, i - start);
                }

                start = i + 1;
            }
        }
    }

    private static (bool IsTempDirectory, string Path)? ParseLine(string line, SegmentStore persistentStore, SegmentStore cachedStore)
    {
        Match match = JournalLinePattern().Match(line);
        if (!match.Success)
        {
            return null;
        }

        SegmentStore store = match.Groups["store"].Value == "C" ? cachedStore : persistentStore;
        string directory = Path.Combine(store.Root, match.Groups["dir"].Value);
        return match.Groups["kind"].Value == "T"
            ? (true, directory)
            : match.Groups["file"].Success ? (false, Path.Combine(directory, match.Groups["file"].Value)) : null;
    }

    private static (int Count, long Bytes) RemoveTempFiles(string directory, string sessionId)
    {
        int count = 0;
        long bytes = 0;
        if (!Directory.Exists(directory))
        {
            return (0, 0);
        }

        foreach (FileInfo temp in new DirectoryInfo(directory).EnumerateFiles(TempSegment.Prefix + sessionId + "-*"))
        {
            long size = temp.Length;
            if (FileRemoval.TryDelete(temp.FullName))
            {
                count++;
                bytes += size;
            }
        }

        return (count, bytes);
    }

    /// <summary>Removes the raw copies in <paramref name="directory"/> whose compressed file, in <paramref name="persistentStore"/>, no longer exists.</summary>
    private static (int Count, long Bytes) RemoveRawCopiesWithoutSource(SegmentPublisher publisher, string directory, SegmentStore persistentStore)
    {
        int count = 0;
        long bytes = 0;
        if (!Directory.Exists(directory))
        {
            return (0, 0);
        }

        foreach (FileInfo copy in new DirectoryInfo(directory).EnumerateFiles("*" + RawCopyFile.Extension))
        {
            if (!RawCopyFile.IsRawCopyName(copy.Name))
            {
                continue;
            }

            try
            {
                // Checked and removed under the key's lock, as a publication of a new copy checks its source.
                if (publisher.RemoveRawCopyWithoutSource(copy.FullName, RawCopyFile.SourcePathOf(persistentStore.Root, copy.FullName)) is long size)
                {
                    count++;
                    bytes += size;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for a later reclaim, a Clear or the key's next put.
            }
        }

        return (count, bytes);
    }

    private static long? RemoveIfCachedSegmentOf(SegmentPublisher publisher, string path, string sessionId)
    {
        try
        {
            // Checked and removed under the key's lock: a later put by another session is left alone.
            return publisher.RemoveIf(path, record => record.SessionId == sessionId && record.Policy == RetentionPolicy.Cached);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // corrupt or unreadable: left for the next get to quarantine
        }
    }

    [GeneratedRegex(@"^[0-9a-f-]{1,64}$")]
    private static partial Regex SessionIdPattern();

    [GeneratedRegex(@"^(?<kind>[TC]) (?<store>[PC]) (?<dir>[A-Za-z0-9_-]{0,32}-[0-9a-f]{16})(/(?<file>[0-9a-f]{32}\.(npy|bundle|zseg)))?$")]
    private static partial Regex JournalLinePattern();
}
