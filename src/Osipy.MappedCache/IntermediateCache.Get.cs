using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// A zero-copy view of the array stored under (<paramref name="resultType"/>, <paramref name="key"/>),
    /// by this session or any other; null on a miss (absent, TRANSIENT, expired, or a corrupt file,
    /// which is quarantined). Costs the same whatever the array's size: nothing is read until used.
    /// With <see cref="CacheConfig.LegacyOsipyDir"/>, a key this cache lacks is looked for in osipy's own cache first.
    /// </summary>
    /// <returns>A lease the caller must dispose, or null.</returns>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="InvalidCastException">The entry holds another element type; the message names both.</exception>
    /// <exception cref="InvalidOperationException">The entry is a bundle (use <see cref="GetBundle"/>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    /// <exception cref="IOException">The file exists but cannot be opened or mapped.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public MappedArray<T>? Get<T>(string resultType, string key)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        _ = DTypes.FromType(typeof(T));
        return (MappedArray<T>?)_session.GetArray(new EntryKey(resultType, key), typeof(T));
    }

    /// <summary>
    /// Copies elements of the array stored under (<paramref name="resultType"/>, <paramref name="key"/>)
    /// into <paramref name="destination"/>, from flat index <paramref name="start"/> (C order), as
    /// many as it holds; false on a miss (as for <see cref="Get{T}(string, string)"/>). A hit makes
    /// no object: for short, frequent reads from many threads (one voxel's time curve, a few
    /// parameters), where a <see cref="MappedArray{T}"/> per read would be garbage to collect.
    /// </summary>
    /// <remarks>
    /// The lease is held only while copying, so the copy is one whole value even if another
    /// session replaces the entry meanwhile. For large reads, <see cref="Get{T}(string, string)"/>
    /// reads in place without a copy.
    /// </remarks>
    /// <returns>Whether the entry was found and the elements copied.</returns>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException">[<paramref name="start"/>, <paramref name="start"/> + <paramref name="destination"/>.Length) is not within the array.</exception>
    /// <exception cref="InvalidCastException">The entry holds another element type; the message names both.</exception>
    /// <exception cref="InvalidOperationException">The entry is a bundle (use <see cref="GetBundle"/>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported element type.</exception>
    /// <exception cref="IOException">The file exists but cannot be opened or mapped.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public bool TryCopyTo<T>(string resultType, string key, long start, Span<T> destination)
        where T : unmanaged
    {
        Arguments.CheckKey(resultType, key);
        _ = DTypes.FromType(typeof(T));
        return _session.TryCopyArray(new EntryKey(resultType, key), start, destination);
    }

    /// <summary>Zero-copy views of the named arrays of a dictionary put; null on a miss.</summary>
    /// <returns>A lease on all arrays that the caller must dispose, or null.</returns>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="InvalidOperationException">The entry is a single array (use <see cref="Get{T}(string, string)"/>).</exception>
    /// <exception cref="IOException">The file exists but cannot be opened or mapped.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public MappedBundle? GetBundle(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        return _session.GetBundle(new EntryKey(resultType, key));
    }

    /// <summary>
    /// What is known about an entry, without mapping or reading its data; null if absent or expired.
    /// (With <see cref="CacheConfig.LegacyOsipyDir"/>, an entry found only as osipy's file is stored first, as a get would.)
    /// </summary>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public CacheEntry? GetEntry(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        return _session.GetEntry(new EntryKey(resultType, key));
    }

    /// <summary>
    /// Whether a get would hit, as the disk is now. Never maps or reads the payload, except that with
    /// <see cref="CacheConfig.LegacyOsipyDir"/> a key found only as osipy's file is stored first, as a get would.
    /// </summary>
    /// <exception cref="ArgumentException">The key or result type is not valid UTF-16, or too long.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public bool Has(string resultType, string key) => GetEntry(resultType, key) is not null;

    /// <summary>The entry in one look-up, whatever its kind: a <see cref="MappedArray"/> or a <see cref="MappedBundle"/> (the C ABI and Python).</summary>
    internal IDisposable? GetAny(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        return _session.GetAny(new EntryKey(resultType, key));
    }

    /// <summary>Like <see cref="Get{T}(string, string)"/> for whatever element type the entry holds (the C ABI).</summary>
    internal MappedArray? GetUntyped(string resultType, string key)
    {
        Arguments.CheckKey(resultType, key);
        return _session.GetArray(new EntryKey(resultType, key), requested: null);
    }
}
