namespace Osipy.MappedCache;

/// <summary>One segment file of a cache directory, as <see cref="IntermediateCache.ListSegments"/> finds it: its entry and its file.</summary>
/// <param name="Entry">What the file's record says: key, type, policy, time, element type, shape, metadata.</param>
/// <param name="Path">The file; a single array's uncompressed segment is a plain <c>.npy</c> file (<c>numpy.load(path, mmap_mode='r')</c>).</param>
/// <param name="FileBytes">Bytes of the file on disk (compressed bytes for a compressed entry).</param>
/// <param name="IsCompressed">Whether the payload is stored compressed (<c>.zseg</c>).</param>
/// <param name="SessionId">The session that wrote it.</param>
/// <param name="SessionAlive">Whether that session is still running (a CACHED file of a dead session is reclaimed by the next open).</param>
public sealed record StoredSegment(CacheEntry Entry, string Path, long FileBytes, bool IsCompressed, string SessionId, bool SessionAlive);
