using Osipy.MappedCache.Caching;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// Removes every entry carrying <paramref name="tag"/> (given to Put, Create or GetOrCreate) from
    /// the cache directory: PERSISTENT and CACHED entries of every session and process, with their
    /// raw copies; with a remote tier, every cluster entry whose upload carried the tag (those this
    /// node never held included) and, through the cluster's change log, every node's copy (a node
    /// that is offline applies it when it next opens).
    /// </summary>
    /// <remarks>
    /// Reads every segment's record, so it costs in proportion to the cache's entries. Live leases
    /// keep their data until disposed; the files are unlinked at once. An entry put with the tag
    /// while this runs may stay: run it again after the pipeline that writes the tag has stopped.
    /// If the cluster cannot be reached, the local part is done and the failure counted
    /// (<see cref="CacheStats.RemoteErrors"/>): call it again.
    /// </remarks>
    /// <returns>How many entries were removed from the directory.</returns>
    /// <exception cref="ArgumentException">The tag is null, empty, not valid UTF-16, too long or has control characters.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public int InvalidateTag(string tag)
    {
        Arguments.CheckTag(tag);
        return _session.InvalidateTag(tag);
    }

    /// <summary>Removes the entry under (<paramref name="resultType"/>, <paramref name="key"/>) from this session and from disk.</summary>
    /// <remarks>Live leases on it keep their data; the file is unlinked at once, and the next get in any session misses.</remarks>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public void Invalidate(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        _session.ThrowIfDisposed();
        _session.Invalidate(new EntryKey(resultType, key));
    }

    /// <summary>
    /// Removes every entry of <paramref name="resultType"/>, or every entry when it is null, from
    /// this session and from disk; with no type, the quarantine is emptied too.
    /// </summary>
    /// <remarks>This includes other sessions' files in the directory, as the seed's clear does. Live leases keep their data.</remarks>
    /// <exception cref="ArgumentException">The result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public void Clear(string? resultType = null)
    {
        Arguments.CheckResultType(resultType);
        _session.ThrowIfDisposed();
        _session.Clear(resultType);
    }

    /// <summary>
    /// Recomputes the payload checksums of one entry (decompressing every chunk of a compressed
    /// one). A bad entry is quarantined and counted, and this session drops it.
    /// </summary>
    /// <returns>true if intact, false if corrupt (now quarantined), null if there is no such entry.</returns>
    /// <remarks>Reads the whole payload: costs in proportion to the array's size. Other members stay usable meanwhile.</remarks>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public bool? Verify(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        return _session.Verify(new EntryKey(resultType, key));
    }

    /// <summary>
    /// <see cref="Verify"/> for every segment file in the cache directory (and the CACHED
    /// directory), reporting progress after each file.
    /// </summary>
    /// <remarks>Reads every payload. Other members of the cache stay usable meanwhile.</remarks>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public VerifyReport VerifyAll(IProgress<VerifyProgress>? progress = null) => _session.VerifyAll(progress);
}
