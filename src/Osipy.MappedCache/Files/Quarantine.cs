
namespace Osipy.MappedCache.Files;

/// <summary>
/// <c>&lt;root&gt;/quarantine/</c>: files that failed validation, kept for inspection and bounded in
/// count (oldest removed first). Cleared with the cache. Thread-safe (the file system arbitrates).
/// </summary>
internal sealed class Quarantine(string root, int maxFiles)
{
    public const string DirectoryName = "quarantine";

    public string Directory { get; } = Path.Combine(root, DirectoryName);

    /// <summary>Moves <paramref name="path"/> in (a symlink is only removed), then trims the oldest files beyond the bound.</summary>
    /// <returns>Where the file went, or null if it was removed or already gone.</returns>
    public string? Admit(string path)
    {
        string? target = null;
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                FileRemoval.Delete(path);
                return null;
            }

            if (!info.Exists)
            {
                return null;
            }

            CacheDirectory.EnsurePrivateDirectory(Directory);
            target = Path.Combine(Directory, $"{DateTime.UtcNow:yyyyMMddTHHmmssfffffff}-{Path.GetFileName(path)}");
            File.Move(path, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Could not move it aside; removing it still keeps it from being read again.
            FileRemoval.TryDelete(path);
            return null;
        }

        Trim();
        return target;
    }

    /// <summary>Files and bytes in the quarantine now.</summary>
    public (int Files, long Bytes) Measure()
    {
        int files = 0;
        long bytes = 0;
        foreach (FileInfo file in Files())
        {
            try
            {
                bytes += file.Length;
                files++;
            }
            catch (FileNotFoundException)
            {
                // trimmed or cleared meanwhile
            }
        }

        return (files, bytes);
    }

    /// <summary>Removes every quarantined file.</summary>
    public void Clear()
    {
        foreach (FileInfo file in Files())
        {
            FileRemoval.TryDelete(file.FullName);
        }
    }

    private void Trim()
    {
        // Names start with a sortable UTC time stamp: the first ones are the oldest.
        List<FileInfo> files = [.. Files().OrderBy(f => f.Name, StringComparer.Ordinal)];
        for (int i = 0; i < files.Count - maxFiles; i++)
        {
            FileRemoval.TryDelete(files[i].FullName);
        }
    }

    private IEnumerable<FileInfo> Files() =>
        System.IO.Directory.Exists(Directory) ? new DirectoryInfo(Directory).EnumerateFiles() : [];
}
