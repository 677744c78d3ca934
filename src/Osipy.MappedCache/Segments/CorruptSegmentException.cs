namespace Osipy.MappedCache.Segments;

/// <summary>
/// A segment file failed validation (InvalidDataException is sealed, so this derives from IOException). Internal: at the public surface a corrupt segment is a
/// counted miss, and the file is quarantined.
/// </summary>
internal sealed class CorruptSegmentException(string path, string reason)
    : IOException($"Segment '{path}' is not a valid cache segment: {reason}")
{
    public string SegmentPath { get; } = path;

    public string Reason { get; } = reason;
}
