
namespace Osipy.MappedCache.Files;

/// <summary>
/// A segment file failed validation (InvalidDataException is sealed, so this derives from IOException). Internal: at the public surface a corrupt segment is a
/// counted miss, and the file is quarantined.
/// </summary>
internal sealed class CorruptSegmentException(string path, string reason, bool fromNewerVersion = false)
    : IOException($"Segment '{path}' is not a valid cache segment: {reason}")
{
    /// <summary>
    /// The file declares a format version newer than this library reads. It is a miss, but it is
    /// left in place: a newer library may be using it.
    /// </summary>
    public bool FromNewerVersion { get; } = fromNewerVersion;

    public string SegmentPath { get; } = path;

    public string Reason { get; } = reason;

    /// <summary>Which file failed, when it could be opened; the quarantine moves it only if the path still names it.</summary>
    public FileIdentity? Identity { get; init; }
}
