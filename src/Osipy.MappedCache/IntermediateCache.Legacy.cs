using Osipy.MappedCache.Caching;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// Stores a file that osipy's own cache wrote (an <c>.npz</c> with <c>data</c> or
    /// <c>data_&lt;name&gt;</c> arrays, <c>metadata</c>, <c>result_type</c> and <c>created_at</c>) under
    /// (<paramref name="resultType"/>, <paramref name="key"/>), as a put made now: one array, or a
    /// bundle for osipy's dict data, with osipy's metadata. osipy names its files by an MD5 of type
    /// and key, so the key must be given; the type is checked against the file's.
    /// </summary>
    /// <remarks>
    /// The file is read as untrusted input: nothing is unpickled, and every size is checked before
    /// anything is allocated. Nothing is published unless the whole file was read and its checksums
    /// matched. For reading osipy's files on a miss instead, see <see cref="CacheConfig.LegacyOsipyDir"/>.
    /// </remarks>
    /// <param name="path">The osipy cache file (any name).</param>
    /// <param name="resultType">The result type, which must be the file's.</param>
    /// <param name="key">The key to store it under.</param>
    /// <returns>The stored entry, or null for a TRANSIENT result type (nothing is stored).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="InvalidDataException">The file holds another result type, or is not a readable osipy cache file (an object array, an unsupported dtype, a damaged zip); the message says why.</exception>
    /// <exception cref="IOException">The file cannot be read, or the entry cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable, or the cache directory not writable, by this user.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public CacheEntry? ImportOsipyFile(string path, string resultType, string key)
    {
        ArgumentNullException.ThrowIfNull(path);
        Arguments.CheckKey(resultType, key);
        return _session.ImportOsipyFile(path, new EntryKey(resultType, key));
    }
}
