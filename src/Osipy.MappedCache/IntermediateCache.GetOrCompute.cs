using Osipy.MappedCache.Caching;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// The entry under (<paramref name="resultType"/>, <paramref name="key"/>), a
    /// <see cref="MappedArray"/> or a <see cref="MappedBundle"/>, if any session, process or node
    /// has it; otherwise exactly one caller runs <paramref name="compute"/>, which stores the entry
    /// under that key with an ordinary <c>Put</c> or <c>Create</c> (of any kind and shape), while
    /// the other callers wait; then every caller gets what it stored. This is
    /// <c>GetOrCreate</c> for results whose shape is known only once computed (memoized
    /// functions). Null for a TRANSIENT type, after <paramref name="compute"/> ran.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="compute"/> returned without storing the entry.</exception>
    internal IDisposable? GetOrComputeAny(string resultType, string key, Action compute)
    {
        Arguments.CheckKey(resultType, key);
        ArgumentNullException.ThrowIfNull(compute);
        return _session.GetOrCompute(new EntryKey(resultType, key), compute);
    }
}
