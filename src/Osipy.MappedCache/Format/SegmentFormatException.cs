namespace Osipy.MappedCache.Format;

/// <summary>
/// Bytes that break the format (docs/FORMAT.md): a record, trailer or header that fails a check.
/// It knows no file: whoever read the bytes (Files/SegmentReader) turns it into a corrupt segment
/// that names the file. Derives from IOException, as InvalidDataException is sealed.
/// </summary>
internal sealed class SegmentFormatException(string reason, bool fromNewerVersion = false) : IOException(reason)
{
    /// <summary>What is wrong, in words for a log line.</summary>
    public string Reason { get; } = reason;

    /// <summary>The bytes declare a format version newer than this library reads.</summary>
    public bool FromNewerVersion { get; } = fromNewerVersion;
}
