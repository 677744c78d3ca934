namespace Osipy.MappedCache;

/// <summary>How long a result type's entries are kept (osipy's <c>RetentionPolicy</c>).</summary>
/// <remarks>The numeric values are stored in segment files: never renumber.</remarks>
public enum RetentionPolicy
{
    /// <summary>Not kept: <c>Put</c> stores nothing and <c>Get</c> returns null.</summary>
    Transient = 0,

    /// <summary>Kept for the session: the segment file is unlinked when the cache is disposed.</summary>
    Cached = 1,

    /// <summary>Kept across sessions and visible to other processes until invalidated or expired.</summary>
    Persistent = 2,
}
