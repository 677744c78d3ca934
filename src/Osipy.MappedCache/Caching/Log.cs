using Microsoft.Extensions.Logging;

namespace Osipy.MappedCache.Caching;

/// <summary>The cache's log messages, generated at compile time.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Corrupt segment '{Path}' set aside ({Reason}); moved to '{QuarantinedTo}'.")]
    public static partial void SegmentQuarantined(ILogger logger, string path, string reason, string? quarantinedTo);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Segment '{Path}' left in place and treated as a miss: {Reason}.")]
    public static partial void NewerSegmentSkipped(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Reclaimed {Sessions} dead session(s): {Segments} CACHED segment(s), {TempFiles} temporary file(s), {RawCopies} raw copies whose source is gone, {Bytes} bytes.")]
    public static partial void Reclaimed(ILogger logger, int sessions, int segments, int tempFiles, int rawCopies, long bytes);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Reclaiming dead sessions failed: {Reason}.")]
    public static partial void ReclaimFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Could not remove '{Path}' at the end of the session ({Reason}); the next session will reclaim it.")]
    public static partial void CleanupFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Remote tier {Operation} of '{Key}' ({ResultType}) failed; going on locally: {Reason}.")]
    public static partial void RemoteFailed(ILogger logger, string operation, string key, string resultType, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Upload of '{Key}' ({ResultType}) lost to another node's, committed first; this node's copy was dropped for it.")]
    public static partial void RemoteUploadLost(ILogger logger, string key, string resultType);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Remote copy of '{Key}' ({ResultType}) is unusable ({Reason}); it was removed and the get is a miss.")]
    public static partial void RemoteUnusable(ILogger logger, string key, string resultType, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Evicted '{Key}' ({ResultType}), {SizeBytes} bytes, to stay within the memory budget.")]
    public static partial void Evicted(ILogger logger, string key, string resultType, long sizeBytes);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Expired '{Key}' ({ResultType}), created {CreatedAt}.")]
    public static partial void Expired(ILogger logger, string key, string resultType, DateTimeOffset createdAt);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Decompressed '{Key}' ({ResultType}), {Bytes} bytes, into '{Path}' (shared with the node: {Shared}).")]
    public static partial void Decompressed(ILogger logger, string key, string resultType, long bytes, string path, bool shared);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Raw copy '{Path}' is not trusted ({Reason}); it is removed and rebuilt from its compressed entry.")]
    public static partial void RawCopyUntrusted(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Raw copy '{Path}' could not be shared with the node ({Reason}); this session decompresses into a private copy.")]
    public static partial void RawCopyNotShared(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Remote tier unreachable ({Operation}: {Reason}); working locally, changes are journalled and sent when it is back; next try in {BackOffSeconds} s.")]
    public static partial void RemoteOutage(ILogger logger, string operation, string reason, double backOffSeconds);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Remote tier reachable again; replaying journalled changes.")]
    public static partial void RemoteBack(ILogger logger);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Remote record of '{Key}' ({ResultType}) does not parse or authenticate; treated as a miss.")]
    public static partial void RemoteRecordRejected(ILogger logger, string key, string resultType);

    [LoggerMessage(EventId = 19, Level = LogLevel.Debug, Message = "Removed {Copies} raw copies ({Bytes} bytes), least recently used first, to keep raw copies within {BudgetBytes} bytes.")]
    public static partial void RawCopiesTrimmed(ILogger logger, int copies, long bytes, long budgetBytes);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "The raw copies' budget could not be enforced: {Reason}")]
    public static partial void RawCopyTrimFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "osipy cache file '{Path}' for '{Key}' ({ResultType}) is not used ({Reason}); the get is a miss.")]
    public static partial void LegacyRejected(ILogger logger, string path, string key, string resultType, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "osipy cache file '{Path}' for '{Key}' ({ResultType}) has expired ({Reason}); the get is a miss.")]
    public static partial void LegacyExpired(ILogger logger, string path, string key, string resultType, string reason);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Stored osipy cache file '{Path}' as '{Key}' ({ResultType}).")]
    public static partial void LegacyImported(ILogger logger, string path, string key, string resultType);
}
