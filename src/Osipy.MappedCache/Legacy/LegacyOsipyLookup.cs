using System.Security.Cryptography;
using System.Text;

namespace Osipy.MappedCache.Legacy;

/// <summary>What a look-up in osipy's cache directory found.</summary>
internal enum LegacyOutcome
{
    /// <summary>No file of that name: a plain miss.</summary>
    Absent,

    /// <summary>A readable file of the type asked for, within the age limit.</summary>
    Found,

    /// <summary>A file of the key's name that holds another result type: never returned.</summary>
    OtherType,

    /// <summary>A file older than the age limit, as osipy's own get would treat it.</summary>
    Expired,

    /// <summary>A file that cannot be read or is not a valid osipy cache file.</summary>
    Unreadable,
}

/// <summary>The outcome of <see cref="LegacyOsipyLookup.Find"/>: the open file when <see cref="Outcome"/> is Found (the caller disposes it), else why not.</summary>
internal readonly record struct LegacyFind(LegacyOutcome Outcome, string Path, OsipyNpzFile? File = null, string? Reason = null);

/// <summary>
/// Finds the file osipy's cache (osipy.common.caching) wrote for a key: directly in its cache
/// directory, named by the MD5 of <c>"{result_type}:{key}"</c> (UTF-8) in hex, with ".npz"
/// (its <c>_get_cache_path</c>). Only reads: osipy's directory is never written to. Only a regular
/// file that this user owns is read, never through a symbolic link: another user could plant one.
/// </summary>
/// <remarks>Stateless apart from the directory; thread-safe.</remarks>
internal sealed class LegacyOsipyLookup(string directory)
{
    /// <summary>osipy's cache directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>osipy's file name for (<paramref name="resultType"/>, <paramref name="key"/>).</summary>
    public static string FileName(string resultType, string key) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{resultType}:{key}"))) + ".npz";

    /// <summary>
    /// The file for the key, open and checked, if it holds <paramref name="resultType"/> and (when
    /// <paramref name="maxAgeSeconds"/> is not 0) was created at most that long before <paramref name="now"/>.
    /// </summary>
    public LegacyFind Find(string resultType, string key, DateTimeOffset now, long maxAgeSeconds)
    {
        string path = Path.Combine(Directory, FileName(resultType, key));
        OsipyNpzFile? file;
        try
        {
            file = Open(path, resultType, namedByUser: false);
        }
        catch (LegacyTypeException ex)
        {
            return new LegacyFind(LegacyOutcome.OtherType, path, Reason: ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new LegacyFind(LegacyOutcome.Unreadable, path, Reason: ex.Message);
        }

        if (file is null)
        {
            return new LegacyFind(LegacyOutcome.Absent, path);
        }

        if (maxAgeSeconds > 0 && (now - CreatedAt(file)).TotalSeconds > maxAgeSeconds)
        {
            string reason = $"created {CreatedAt(file):O}, more than {maxAgeSeconds} s ago";
            file.Dispose();
            return new LegacyFind(LegacyOutcome.Expired, path, Reason: reason);
        }

        return new LegacyFind(LegacyOutcome.Found, path, file);
    }

    /// <summary>Opens and checks <paramref name="path"/> (any name), which must hold <paramref name="resultType"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="resultType">The result type it must hold.</param>
    /// <param name="namedByUser">Whether the caller was handed this path (an import) rather than deriving it (a look-up).</param>
    /// <returns>The checked file, or null when nothing is at <paramref name="path"/>.</returns>
    /// <exception cref="LegacyTypeException">It holds another result type.</exception>
    /// <exception cref="LegacyFormatException">Not a readable osipy cache file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read, or is refused (a symbolic link or another user's, for a derived path; not a regular file).</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable by this user.</exception>
    public static OsipyNpzFile? Open(string path, string resultType, bool namedByUser)
    {
        if (OsipyNpzFile.Open(path, namedByUser) is not { } file)
        {
            return null;
        }

        try
        {
            if (!string.Equals(file.ResultType, resultType, StringComparison.Ordinal))
            {
                throw new LegacyTypeException($"it holds result type '{file.ResultType}', not '{resultType}'");
            }

            _ = CreatedAt(file);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>osipy's <c>created_at</c> as a time.</summary>
    /// <exception cref="LegacyFormatException">It is not a time (NaN, negative, past year 9999).</exception>
    public static DateTimeOffset CreatedAt(OsipyNpzFile file)
    {
        double milliseconds = Math.Round(file.CreatedAt * 1000);
        return double.IsFinite(milliseconds) && milliseconds >= 0 && milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds)
            : throw new LegacyFormatException($"created_at {file.CreatedAt} is not a time");
    }
}

/// <summary>An osipy cache file of another result type than the one asked for (an IOException, as <see cref="LegacyFormatException"/> is).</summary>
internal sealed class LegacyTypeException(string message) : IOException(message);
