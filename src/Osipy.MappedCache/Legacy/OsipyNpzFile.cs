using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Legacy;

/// <summary>
/// A file osipy's own cache wrote (osipy.common.caching, <c>_put_disk</c>): an .npz holding
/// <c>data</c> (an array) or <c>data_&lt;name&gt;</c> members (a dict of arrays), and
/// <c>metadata</c> (json.dumps text), <c>result_type</c> (text) and <c>created_at</c> (time.time()),
/// each a 0-d array, as <c>np.savez</c> or <c>np.savez_compressed</c> writes them.
/// </summary>
/// <remarks>
/// <para>Every byte is untrusted. <see cref="Open"/> reads the zip's directory, the three small
/// members (checked whole, CRC included) and each array's .npy header, and checks every size
/// against its bound and against the zip's stated sizes before anything is allocated. Nothing is
/// ever unpickled: an object array is refused. The arrays' payloads are read by
/// <see cref="OsipyNpzArray.CopyTo"/>.</para>
/// <para>Not thread-safe. Dispose it to close the file.</para>
/// </remarks>
internal sealed class OsipyNpzFile : IDisposable
{
    /// <summary>Deflate expands at most about 1032 to 1: a member stating more is a lie (or a bomb).</summary>
    private const long MaxDeflateRatio = 1040;

    private static readonly Encoding s_utf32 = new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true);

    private readonly ZipArchive _zip;

    private OsipyNpzFile(ZipArchive zip, string resultType, double createdAt, string metadataJson, bool isDict, IReadOnlyList<OsipyNpzArray> arrays)
    {
        _zip = zip;
        ResultType = resultType;
        CreatedAt = createdAt;
        MetadataJson = metadataJson;
        IsDict = isDict;
        Arrays = arrays;
    }

    /// <summary>The result type osipy stored it under.</summary>
    public string ResultType { get; }

    /// <summary>osipy's <c>created_at</c>: POSIX seconds.</summary>
    public double CreatedAt { get; }

    /// <summary>osipy's metadata, as the JSON text it wrote.</summary>
    public string MetadataJson { get; }

    /// <summary>Whether osipy stored a dict of arrays (<c>data_&lt;name&gt;</c> members) rather than one array.</summary>
    public bool IsDict { get; }

    /// <summary>The arrays in the zip's order: one, named "", unless <see cref="IsDict"/>.</summary>
    public IReadOnlyList<OsipyNpzArray> Arrays { get; }

    /// <summary>Opens and checks <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="namedByUser">Whether the caller was handed this path (see <see cref="ForeignFile.OpenRegular"/>).</param>
    /// <returns>The checked file, or null when nothing is at <paramref name="path"/>.</returns>
    /// <exception cref="LegacyFormatException">Not a readable osipy cache file; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be opened or read, or is refused (a symbolic link, another user's, not a regular file).</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable by this user.</exception>
    public static OsipyNpzFile? Open(string path, bool namedByUser)
    {
        if (ForeignFile.OpenRegular(path, namedByUser) is not { } handle)
        {
            return null;
        }

        // A regular file: seekable, so the zip reader never copies it into memory.
        var stream = new FileStream(handle, FileAccess.Read, 1 << 16);
        ZipArchive? zip = null;
        try
        {
            zip = OpenZip(stream);
            return Read(zip, stream.Length);
        }
        catch
        {
            // Whatever was opened goes in the catch that saw the failure (a second dispose is harmless).
            zip?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    public void Dispose() => _zip.Dispose();

    private static ZipArchive OpenZip(FileStream stream)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException ex)
        {
            throw new LegacyFormatException($"not a zip archive ({ex.Message})", ex);
        }
    }

    private static OsipyNpzFile Read(ZipArchive zip, long fileLength)
    {
        if (zip.Entries.Count > SegmentLimits.MaxArrays + 3)
        {
            throw new LegacyFormatException($"{zip.Entries.Count} members (osipy writes at most {SegmentLimits.MaxArrays} arrays and three more)");
        }

        var members = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            CheckSizes(entry, fileLength);
            string name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal)
                ? entry.FullName[..^4]
                : throw new LegacyFormatException($"member '{entry.FullName}' is not a .npy");
            if (!members.TryAdd(name, entry))
            {
                throw new LegacyFormatException($"member '{entry.FullName}' appears twice");
            }
        }

        string resultType = Text(Required(members, "result_type"), SegmentLimits.MaxKeyBytes);
        string metadata = Text(Required(members, "metadata"), SegmentLimits.MaxMetadataBytes);
        double createdAt = Float64(Required(members, "created_at"));
        var arrays = new List<OsipyNpzArray>();
        bool single = members.TryGetValue("data", out ZipArchiveEntry? data);
        if (single)
        {
            arrays.Add(DescribeArray(string.Empty, data!));
        }

        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            string name = entry.FullName[..^4];
            if (name is "data" or "result_type" or "metadata" or "created_at")
            {
                continue;
            }

            if (!name.StartsWith("data_", StringComparison.Ordinal) || single)
            {
                throw new LegacyFormatException($"unexpected member '{entry.FullName}' (osipy writes data or data_<name>, metadata, result_type and created_at)");
            }

            string arrayName = name["data_".Length..];
            if (Encoding.UTF8.GetByteCount(arrayName) > SegmentLimits.MaxArrayNameBytes)
            {
                throw new LegacyFormatException($"member '{entry.FullName}' has a name over {SegmentLimits.MaxArrayNameBytes} UTF-8 bytes");
            }

            arrays.Add(DescribeArray(arrayName, entry));
        }

        if (arrays.Count == 0)
        {
            throw new LegacyFormatException("no data member (osipy's dict was empty)");
        }

        return new OsipyNpzFile(zip, resultType, createdAt, metadata, !single, arrays);
    }

    /// <summary>A member's stated sizes, checked against the file before any is believed.</summary>
    private static void CheckSizes(ZipArchiveEntry entry, long fileLength)
    {
        if (entry.CompressedLength < 0 || entry.CompressedLength > fileLength || entry.Length < 0
            || entry.Length > Math.Max(entry.CompressedLength, 1) * MaxDeflateRatio)
        {
            throw new LegacyFormatException(
                $"member '{entry.FullName}' states {entry.Length} bytes from {entry.CompressedLength} compressed in a file of {fileLength}");
        }
    }

    private static ZipArchiveEntry Required(Dictionary<string, ZipArchiveEntry> members, string name) =>
        members.TryGetValue(name, out ZipArchiveEntry? entry) ? entry : throw new LegacyFormatException($"no '{name}.npy' member (not an osipy cache file)");

    private static OsipyNpzArray DescribeArray(string name, ZipArchiveEntry entry)
    {
        using NpzMemberReader reader = NpzMemberReader.Open(entry);
        return OsipyNpzArray.Describe(name, entry, NpzMemberHeader.Read(reader, entry.FullName));
    }

    /// <summary>A 0-d unicode member (numpy's '&lt;U' dtype, UTF-32 padded with NULs), at most <paramref name="maxChars"/> characters.</summary>
    private static string Text(ZipArchiveEntry entry, int maxChars)
    {
        byte[] payload = Scalar(entry, header => header.UnicodeLength() is int chars && chars >= 0 && chars <= maxChars ? 4L * chars : -1, $"a string of at most {maxChars} characters");
        try
        {
            return s_utf32.GetString(payload).TrimEnd('\0');
        }
        catch (DecoderFallbackException)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' is not valid UTF-32 text");
        }
    }

    /// <summary>A 0-d float64 member.</summary>
    private static double Float64(ZipArchiveEntry entry) =>
        BinaryPrimitives.ReadDoubleLittleEndian(Scalar(entry, header => header.Descr == "<f8" ? 8 : -1, "a float64"));

    /// <summary>The whole payload of a small 0-d member, whose size <paramref name="payloadLength"/> gives (-1: the wrong dtype).</summary>
    private static byte[] Scalar(ZipArchiveEntry entry, Func<NpzMemberHeader, long> payloadLength, string what)
    {
        using NpzMemberReader reader = NpzMemberReader.Open(entry);
        NpzMemberHeader header = NpzMemberHeader.Read(reader, entry.FullName);
        long length = payloadLength(header);
        if (header.IsObject || length < 0 || header.Shape.Length != 0 || header.FortranOrder)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' is not {what} (dtype '{header.Descr}', shape ({string.Join(", ", header.Shape)}))");
        }

        if (entry.Length != header.Length + length)
        {
            throw new LegacyFormatException($"member '{entry.FullName}' is {entry.Length} bytes; its header and dtype need {header.Length + length}");
        }

        byte[] payload = new byte[length];
        reader.ReadExactly(payload);
        reader.Finish();
        return payload;
    }
}
