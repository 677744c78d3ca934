using System.Buffers;
using System.Text;
using System.Text.Json;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// The rules of a node's raw copy of a compressed segment (docs/FORMAT.md, "Raw copies"): a
/// single-array segment named <c>&lt;xxh128(key)&gt;.raw</c> in the CACHED directory's type directory,
/// whose record names the one source write it was decompressed from. Knows files, not policies.
/// </summary>
/// <remarks>
/// The name is fixed per key, so a key has at most one raw copy per CACHED directory, it is
/// removed with one unlink, and a copy of an older source is replaced by a rename over it. Which
/// source it copies is in the record's metadata (<see cref="Marker"/>): the source file's device
/// and inode and its record's write stamp (session, time, checksums), checked against the source
/// on every open, so a copy of a replaced source is never taken for the new one.
/// </remarks>
internal static class RawCopyFile
{
    public const string Extension = ".raw";

    /// <summary>The one property of a raw copy's metadata object.</summary>
    public const string MarkerProperty = "osipy_raw_copy_of";

    /// <summary>The raw copy of the key at <paramref name="source"/> (a location in any store: only its type directory's name and digest count), under <paramref name="root"/>.</summary>
    public static string PathFor(string root, KeyLocation source) =>
        Path.Combine(root, Path.GetFileName(source.TypeDirectory), source.KeyDigest + Extension);

    /// <summary>The compressed segment that the raw copy at <paramref name="rawPath"/> belongs to, in the store rooted at <paramref name="sourceRoot"/>.</summary>
    public static string SourcePathOf(string sourceRoot, string rawPath) =>
        Path.Combine(sourceRoot, Path.GetFileName(Path.GetDirectoryName(rawPath)!), Path.GetFileNameWithoutExtension(rawPath) + SegmentStore.CompressedExtension);

    /// <summary>Whether <paramref name="name"/> is a raw copy's file name: 32 lowercase hex digits and <see cref="Extension"/>.</summary>
    public static bool IsRawCopyName(string name) =>
        name.Length == 32 + Extension.Length && name.EndsWith(Extension, StringComparison.Ordinal)
        && !name.AsSpan(0, 32).ContainsAnyExcept("0123456789abcdef");

    /// <summary>
    /// The metadata naming the source: <c>{"osipy_raw_copy_of":{"device":D,"inode":I,"write":"&lt;write stamp&gt;"}}</c>.
    /// Always written the same way for the same source, so a copy is checked by comparing strings.
    /// </summary>
    public static string Marker(FileIdentity sourceFile, SegmentRecord source)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MarkerProperty);
            writer.WriteNumber("device", sourceFile.Device);
            writer.WriteNumber("inode", sourceFile.Inode);
            writer.WriteString("write", source.WriteStamp);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// What a raw copy of the compressed <paramref name="source"/> (its record and its file) holds:
    /// the source's key, type, policy, time and array, the marker as metadata, and
    /// <paramref name="sessionId"/> as the writer (for people reading the directory; nothing owns a raw copy).
    /// </summary>
    public static SegmentDraft Draft(SegmentRecord source, FileIdentity sourceFile, string sessionId)
    {
        ArrayRecord array = source.Arrays[0];
        return new SegmentDraft
        {
            Kind = SegmentKind.SingleArray,
            Key = source.Key,
            ResultType = source.ResultType,
            Policy = source.Policy,
            CreatedUnixMilliseconds = source.CreatedUnixMilliseconds,
            SessionId = sessionId,
            MetadataJson = Marker(sourceFile, source),
            Arrays = [new ArrayDraft(array.Name, array.DType, array.Shape)],
        };
    }

    /// <summary>
    /// Whether a validated single-array record <paramref name="raw"/> is a copy of exactly the source
    /// write <paramref name="source"/> in <paramref name="sourceFile"/>: the same key, type, time,
    /// array (type, shape, length, payload checksum) and marker.
    /// </summary>
    public static bool IsCopyOf(SegmentRecord raw, SegmentRecord source, FileIdentity sourceFile)
    {
        if (raw.Kind != SegmentKind.SingleArray || source.Kind != SegmentKind.Compressed || raw.Arrays.Count != 1
            || raw.Key != source.Key || raw.ResultType != source.ResultType || raw.CreatedUnixMilliseconds != source.CreatedUnixMilliseconds)
        {
            return false;
        }

        ArrayRecord copy = raw.Arrays[0];
        ArrayRecord original = source.Arrays[0];
        return copy.Name == original.Name && copy.DType == original.DType && copy.Shape.AsSpan().SequenceEqual(original.Shape)
            && copy.PayloadLength == original.PayloadLength && copy.PayloadChecksum == original.PayloadChecksum
            && raw.MetadataJson == Marker(sourceFile, source);
    }
}
