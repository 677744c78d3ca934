namespace Osipy.MappedCache.Native;

/// <summary>
/// The status codes the C ABI's functions return (OSIPY_* in include/osipy_mappedcache.h). Every
/// export catches all exceptions and maps them to one of these (<see cref="NativeErrors"/>).
/// </summary>
/// <remarks>
/// The values are part of <c>include/osipy_mappedcache.h</c>: they are never renumbered, and new
/// codes are only appended. The underlying type is a fixed-width 32-bit integer
/// because C callers see it as <c>int32_t</c>.
/// </remarks>
internal enum NativeStatus : int
{
    /// <summary>The call succeeded.</summary>
    Ok = 0,

    /// <summary>The entry is absent, TRANSIENT, expired or was corrupt (a get returned no data).</summary>
    Miss = 1,

    /// <summary>A null pointer, a bad dtype code, ndim or shape, bad JSON, or a string that is not UTF-8.</summary>
    InvalidArgument = 2,

    /// <summary>The entry holds another element type than the one asked for, or is a bundle where an array was asked for.</summary>
    TypeMismatch = 3,

    /// <summary>The cache directory or a segment file could not be created, opened, written or mapped.</summary>
    IoError = 4,

    /// <summary>The cache directory is owned by another user, or not writable.</summary>
    AccessDenied = 5,

    /// <summary>An unknown handle, or one already released or closed.</summary>
    BadHandle = 6,

    /// <summary>The requested feature is not supported (for example, an element type the platform lacks).</summary>
    NotSupported = 7,

    /// <summary>A handle was used in a process forked from the one it was issued in.</summary>
    WrongProcess = 8,

    /// <summary>The fill callback of osipy_cache_get_or_create returned non-zero; nothing was published.</summary>
    FillFailed = 9,

    /// <summary>Any other failure; the error-string function gives the message.</summary>
    Unexpected = 99,
}
