using System.Runtime.InteropServices;
using System.Text;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Segments;

/// <summary>
/// Creates and checks the cache's root directory, following the seed's rules: a per-user default
/// under the temp directory, created 0700; a directory that is a symlink or owned by another user
/// is refused, because another local user could read or plant segments through it.
/// </summary>
internal static class CacheDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary><c>&lt;temp&gt;/osipy_cache_&lt;user&gt;</c>, the user name reduced to <c>[A-Za-z0-9_.-]</c>.</summary>
    public static string DefaultPath()
    {
        string user;
        try
        {
            user = Environment.UserName;
        }
        catch (InvalidOperationException)
        {
            user = "default";
        }

        var safe = new StringBuilder(user.Length);
        foreach (char c in user)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_');
        }

        return Path.Combine(Path.GetTempPath(), "osipy_cache_" + safe);
    }

    /// <summary>Creates <paramref name="path"/> (0700) if needed and makes sure it is private to this user.</summary>
    /// <exception cref="IOException">The path is a symlink or not a directory.</exception>
    /// <exception cref="UnauthorizedAccessException">Another user owns the directory.</exception>
    public static string Prepare(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Lstat(full) is null)
        {
            Directory.CreateDirectory(full, OwnerOnly);
        }

        EnsurePrivateDirectory(full);
        return full;
    }

    /// <summary>Checks a directory inside the cache (created 0700 if missing): no symlink, ours, owner-only.</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        Libc.StatxBuffer? stat = Lstat(path);
        if (stat is null)
        {
            Directory.CreateDirectory(path, OwnerOnly);
            stat = Lstat(path) ?? throw new IOException($"Cache directory '{path}' vanished while being created.");
        }

        if (stat.Value.FileType == Libc.S_IFLNK)
        {
            throw new IOException($"Cache directory '{path}' is a symbolic link; refusing to use it. Configure CacheDir to a private, non-symlink location.");
        }

        if (stat.Value.FileType != Libc.S_IFDIR)
        {
            throw new IOException($"Cache directory '{path}' exists and is not a directory.");
        }

        uint me = Libc.Geteuid();
        if (stat.Value.Uid != me)
        {
            throw new UnauthorizedAccessException(
                $"Cache directory '{path}' is owned by uid {stat.Value.Uid}, not by this user (uid {me}); refusing to use it. Configure CacheDir to a private location.");
        }

        // Take away group and other access; never add owner rights the user removed (a directory
        // made read-only on purpose must stay read-only).
        int mode = stat.Value.Mode & 0x1FF;
        if ((mode & 0x3F) != 0)
        {
            File.SetUnixFileMode(path, (UnixFileMode)(mode & 0x1C0));
        }
    }

    private static Libc.StatxBuffer? Lstat(string path)
    {
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) == 0)
        {
            return stat;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == Libc.ENOENT ? null : throw Libc.IOExceptionFor(errno, "statx", path);
    }
}
