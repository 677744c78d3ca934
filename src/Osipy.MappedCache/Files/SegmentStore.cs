using System.IO.Hashing;
using System.Text;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Where segments live on disk and the file operations on them. Knows nothing of policies.
/// <code>
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.npy      a single array (a valid .npy file)
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.bundle   named arrays
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.zseg     a single array, compressed at rest
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.raw      a node's raw copy of a .zseg (<see cref="RawCopyFile"/>; CACHED directory)
/// &lt;root&gt;/&lt;type dir&gt;/.tmp-*                             segments being written
/// &lt;root&gt;/quarantine/                                     files that failed validation (<see cref="Quarantine"/>)
/// </code>
/// Keys and result types never become path parts: names are XxHash128 digests, plus a sanitised
/// label of the type for people browsing the directory. The record inside each file holds the
/// real key and type, and the opener checks them, so a hash collision is a miss, not a wrong hit.
/// </summary>
internal sealed class SegmentStore(string root, int maxQuarantineFiles = 256)
{
    public const string SingleExtension = ".npy";
    public const string BundleExtension = ".bundle";
    public const string CompressedExtension = ".zseg";

    /// <summary>Names this store in session journals: 'P' for the cache directory, 'C' for a separate CACHED directory.</summary>
    public char Tag { get; init; } = 'P';

    public string Root { get; } = root;

    public Quarantine Quarantine { get; } = new(root, maxQuarantineFiles);

    public string TypeDirectory(string resultType)
    {
        var label = new StringBuilder();
        foreach (char c in resultType)
        {
            if (label.Length == 32)
            {
                break;
            }

            label.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return Path.Combine(Root, $"{label}-{Digest(resultType)[..16]}");
    }

    public string SegmentPath(string resultType, string key, SegmentKind kind) =>
        Path.Combine(TypeDirectory(resultType), Digest(key) + Extension(kind));

    public KeyLocation Locate(string resultType, string key) => KeyLocation.Of(this, resultType, key);

    public static string Extension(SegmentKind kind) => kind switch
    {
        SegmentKind.Bundle => BundleExtension,
        SegmentKind.Compressed => CompressedExtension,
        _ => SingleExtension,
    };

    /// <summary>Every kind of file a key can have; a put of one kind removes the others.</summary>
    public static readonly SegmentKind[] AllKinds = [SegmentKind.SingleArray, SegmentKind.Compressed, SegmentKind.Bundle];

    /// <summary>Creates the type's directory if needed, with the same checks as the root.</summary>
    public string EnsureTypeDirectory(string resultType)
    {
        string directory = TypeDirectory(resultType);
        CacheDirectory.EnsurePrivateDirectory(directory);
        return directory;
    }

    /// <summary>Every segment file (not temporaries, not raw copies, not quarantine) under the root, or under one type.</summary>
    public IEnumerable<FileInfo> EnumerateSegments(string? resultType = null) => EnumerateFiles(resultType, IsSegmentFileName);

    /// <summary>Every raw copy of a compressed segment (<see cref="RawCopyFile"/>) under the root, or under one type.</summary>
    public IEnumerable<FileInfo> EnumerateRawCopies(string? resultType = null) => EnumerateFiles(resultType, RawCopyFile.IsRawCopyName);

    /// <summary>Every file in the type directories, temporaries included: what the disk budget counts.</summary>
    public IEnumerable<FileInfo> EnumerateEverything() => EnumerateFiles(null, _ => true, includeHidden: true);

    private IEnumerable<FileInfo> EnumerateFiles(string? resultType, Func<string, bool> isWanted, bool includeHidden = false)
    {
        IEnumerable<DirectoryInfo> directories = resultType is null
            ? new DirectoryInfo(Root).EnumerateDirectories().Where(d => IsTypeDirectoryName(d.Name) && d.LinkTarget is null)
            : Directory.Exists(TypeDirectory(resultType)) ? [new DirectoryInfo(TypeDirectory(resultType))] : [];
        foreach (DirectoryInfo directory in directories)
        {
            foreach (FileInfo file in directory.EnumerateFiles())
            {
                if ((includeHidden || !file.Name.StartsWith('.')) && isWanted(file.Name))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is a segment's (.npy, .bundle, .zseg).</summary>
    public static bool IsSegmentFileName(string name) =>
        name.EndsWith(SingleExtension, StringComparison.Ordinal) || name.EndsWith(BundleExtension, StringComparison.Ordinal) || name.EndsWith(CompressedExtension, StringComparison.Ordinal);

    /// <summary>Type directories end in '-' and 16 hex digits; quarantine/ and sessions/ do not.</summary>
    public static bool IsTypeDirectoryName(string name) =>
        name.Length >= 17 && name[^17] == '-' && name.AsSpan(name.Length - 16).ContainsAnyExcept("0123456789abcdef") is false;

    public static string Digest(string text) => Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
}
