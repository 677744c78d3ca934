using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Sessions;

namespace Osipy.MappedCache.Caching;

/// <summary>Listing: every segment file of the directory, from its validated record, nothing mapped.</summary>
internal sealed partial class CacheSession
{
    /// <summary>
    /// The segment files of every store (of <paramref name="resultType"/> only, if given), each
    /// validated as a first get validates it (record, layout, first page) but not mapped. Files
    /// that fail are left to <see cref="VerifyAll"/> and the gets, which quarantine them; files that
    /// vanish meanwhile are skipped. Expired entries are listed: their age shows it.
    /// </summary>
    public IReadOnlyList<StoredSegment> ListSegments(string? resultType)
    {
        ThrowIfDisposed();
        var alive = new Dictionary<string, bool>(StringComparer.Ordinal) { [SessionId] = true };
        var found = new List<StoredSegment>();
        foreach (FileInfo file in _stores.Segments(resultType))
        {
            try
            {
                using OpenedSegment? opened = SegmentReader.TryOpen(file.FullName);
                if (opened is null || (resultType is not null && opened.Record.ResultType != resultType))
                {
                    continue;
                }

                SegmentRecord record = opened.Record;
                if (!alive.TryGetValue(record.SessionId, out bool isAlive))
                {
                    alive[record.SessionId] = isAlive = SessionReclaimer.IsAlive(SessionsDirectory, record.SessionId);
                }

                found.Add(new StoredSegment(CacheEntries.FromRecord(record), opened.Path, opened.Length, record.Kind == SegmentKind.Compressed, record.SessionId, isAlive));
            }
            catch (CorruptSegmentException)
            {
                // Not an entry: verify reports it, a get quarantines it.
            }
        }

        found.Sort((a, b) => (string.CompareOrdinal(a.Entry.ResultType, b.Entry.ResultType) is int byType and not 0) ? byType : string.CompareOrdinal(a.Entry.Key, b.Entry.Key));
        return found;
    }
}
