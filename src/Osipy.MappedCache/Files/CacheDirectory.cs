using System.Runtime.InteropServices;
using System.Text;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Creates and checks the cache's directories, following the seed's rules: a per-user default
/// under the temp directory, created 0700; a directory that is a symlink, owned by another user,
/// or writable by group or others is refused, because another local user could read or plant
/// segments through it. Existing directories are never chmod'ed.
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

    /// <summary>Creates <paramref name="path"/> (0700) if needed and makes sure it is safe to use; returns its full path.</summary>
    /// <exception cref="IOException">The path is a symlink, not a directory, or writable by group or others.</exception>
    /// <exception cref="UnauthorizedAccessException">Another user owns the directory.</exception>
    public static string Prepare(string path)
    {
        string full = FullPath(path);
        EnsurePrivateDirectory(full);
        return full;
    }

    /// <summary><paramref name="path"/> as the cache names its directory: a full path without a trailing separator.</summary>
    public static string FullPath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>
    /// Creates a directory of the cache (0700) if it is missing; an existing one must be a real
    /// directory, owned by this user and not writable by group or others. The mode of a directory
    /// the cache did not create is never changed (it may be /tmp, /dev/shm or a shared project
    /// directory): an unsafe one is refused instead.
    /// </summary>
    /// <exception cref="IOException">The path is a symlink, not a directory, or writable by group or others.</exception>
    /// <exception cref="UnauthorizedAccessException">Another user owns the directory.</exception>
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

        const int GroupOrOtherWrite = 0x10 | 0x02; // 020 | 002
        int mode = stat.Value.Mode & 0xFFF;
        if ((mode & GroupOrOtherWrite) != 0)
        {
            throw new IOException(
                $"Cache directory '{path}' is writable by group or others (mode {Convert.ToString(mode, 8).PadLeft(4, '0')}); refusing to use it, because another user could "
                + $"plant or replace segments there, and its mode is not the cache's to change. Use a subdirectory that the cache creates itself, for example '{Path.Combine(path, "osipy_cache")}'.");
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
