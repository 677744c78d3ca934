namespace Osipy.MappedCache.Legacy;

/// <summary>
/// A file in osipy's cache directory that is not a readable osipy cache file: not a zip, a member
/// that is not a .npy, an object (pickled) array, a dtype the cache cannot hold, sizes that do not
/// add up, a bad checksum. The message is the reason, without the path (the caller logs both).
/// Derives from IOException, as InvalidDataException is sealed; the public import turns it into one.
/// </summary>
internal sealed class LegacyFormatException : IOException
{
    public LegacyFormatException(string reason)
        : base(reason)
    {
    }

    public LegacyFormatException(string reason, Exception inner)
        : base(reason, inner)
    {
    }
}
