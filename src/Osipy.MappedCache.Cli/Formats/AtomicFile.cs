namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Creates a file through a temporary sibling that is renamed over the target only once it is
/// complete, so a failed export leaves neither a partial file nor a clobbered old one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a new temporary file, then moves it to <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be created or moved.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            // The one place that cleans up a failed creation; the original exception is what matters.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }

            throw;
        }
    }
}
