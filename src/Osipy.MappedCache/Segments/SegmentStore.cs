using System.IO.Hashing;
using System.Text;

namespace Osipy.MappedCache.Segments;

/// <summary>
/// Where segments live on disk and the file operations on them. Knows nothing of policies.
/// <code>
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.npy      a single array (a valid .npy file)
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.bundle   named arrays
/// &lt;root&gt;/&lt;type-label&gt;-&lt;hash(type)&gt;/&lt;hash(key)&gt;.zseg     a single array, compressed at rest
/// &lt;root&gt;/&lt;type dir&gt;/.tmp-*                             segments being written
/// &lt;root&gt;/quarantine/                                     files that failed validation
/// </code>
/// Keys and result types never become path parts: names are XxHash128 digests, plus a sanitised
/// label of the type for people browsing the directory. The record inside each file holds the
/// real key and type, and the opener checks them, so a hash collision is a miss, not a wrong hit.
/// </summary>
internal sealed class SegmentStore(string root)
{
    public const string SingleExtension = ".npy";
    public const string BundleExtension = ".bundle";
    public const string CompressedExtension = ".zseg";
    private const string QuarantineDirectoryName = "quarantine";

    /// <summary>Names this store in session journals: 'P' for the cache directory, 'C' for a separate CACHED directory.</summary>
    public char Tag { get; init; } = 'P';

    public string Root { get; } = root;

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

    /// <summary>Every segment file (not temporaries, not quarantine) under the root, or under one type.</summary>
    public IEnumerable<FileInfo> EnumerateSegments(string? resultType = null)
    {
        IEnumerable<DirectoryInfo> directories = resultType is null
            ? new DirectoryInfo(Root).EnumerateDirectories().Where(d => IsTypeDirectoryName(d.Name) && d.LinkTarget is null)
            : Directory.Exists(TypeDirectory(resultType)) ? [new DirectoryInfo(TypeDirectory(resultType))] : [];
        foreach (DirectoryInfo directory in directories)
        {
            foreach (FileInfo file in directory.EnumerateFiles())
            {
                if (!file.Name.StartsWith('.') && AllKinds.Any(kind => file.Name.EndsWith(Extension(kind), StringComparison.Ordinal)))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>Unlinks a file; a missing file is not an error. Live mappings of it stay valid.</summary>
    public static bool Delete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Moves a bad file aside for inspection; a symlink is simply removed.</summary>
    /// <returns>Where the file went, or null if it was removed or already gone.</returns>
    public string? Quarantine(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists && info.LinkTarget is null)
            {
                return null;
            }

            if (info.LinkTarget is not null)
            {
                File.Delete(path);
                return null;
            }

            string directory = Path.Combine(Root, QuarantineDirectoryName);
            CacheDirectory.EnsurePrivateDirectory(directory);
            string target = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Path.GetFileName(path)}");
            File.Move(path, target, overwrite: true);
            return target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Could not move it aside; removing it still keeps it from being read again.
            try
            {
                File.Delete(path);
            }
            catch (Exception inner) when (inner is IOException or UnauthorizedAccessException)
            {
            }

            return null;
        }
    }

    /// <summary>Type directories end in '-' and 16 hex digits; quarantine/ and sessions/ do not.</summary>
    public static bool IsTypeDirectoryName(string name) =>
        name.Length >= 17 && name[^17] == '-' && name.AsSpan(name.Length - 16).ContainsAnyExcept("0123456789abcdef") is false;

    private static string Digest(string text) => Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
}
