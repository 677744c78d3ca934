using System.Runtime.InteropServices;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// The one rule for deleting the cache's files: a file that is already gone is not an error
/// (another session or process removed it first); any other failure is, and reaches the caller
/// as the BCL's exception. Callers that must not throw (disposal, reclaim) catch and log it.
/// </summary>
/// <remarks>Unlinking never disturbs live mappings: Linux keeps an unlinked file's pages while they are mapped.</remarks>
internal static class FileRemoval
{
    /// <returns>true if this call removed the file, false if there was none.</returns>
    /// <exception cref="IOException">The file exists but cannot be removed.</exception>
    /// <exception cref="UnauthorizedAccessException">Its directory is not writable.</exception>
    public static bool Delete(string path)
    {
        // unlink(2) itself: one call, which also says whether there was anything to remove.
        if (Libc.Unlink(path) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Libc.ENOENT or Libc.ENOTDIR => false,
            Libc.EACCES or Libc.EPERM => throw new UnauthorizedAccessException($"unlink '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", Libc.IOExceptionFor(errno, "unlink", path)),
            _ => throw Libc.IOExceptionFor(errno, "unlink", path),
        };
    }

    /// <summary><see cref="Delete"/> for cleanup paths: failures are swallowed and reported as false.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            return Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
