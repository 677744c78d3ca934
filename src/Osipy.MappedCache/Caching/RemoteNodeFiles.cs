using System.Security.Cryptography;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// What a cache directory remembers of its remote tier, in <c>&lt;cache&gt;/remote/</c>: the node's
/// name (<c>node-id</c>, made once: the processes of one directory are one node) and how far the
/// node has applied the tier's change log (<c>position</c>). Its presence also marks a directory
/// that was used with a cluster, so operators' tools can refuse to change it without one.
/// </summary>
internal sealed class RemoteNodeFiles
{
    public const string DirectoryName = "remote";

    private readonly string _directory;

    public RemoteNodeFiles(string cacheDir)
    {
        _directory = Path.Combine(cacheDir, DirectoryName);
        CacheDirectory.EnsurePrivateDirectory(_directory);
        NodeId = ReadOrCreateNodeId();
        PendingDirectory = Path.Combine(_directory, "pending");
        CacheDirectory.EnsurePrivateDirectory(PendingDirectory);
    }

    /// <summary>This node's name: 32 hex digits, the same for every process on the directory.</summary>
    public string NodeId { get; }

    /// <summary>Where changes that have not reached the tier yet are journalled (<see cref="PendingRemoteChanges"/>).</summary>
    public string PendingDirectory { get; }

    /// <summary>Whether <paramref name="cacheDir"/> was ever opened with a remote tier.</summary>
    public static bool WasUsedWithRemote(string cacheDir) => File.Exists(Path.Combine(cacheDir, DirectoryName, "node-id"));

    /// <summary>The last change-log position a session of this node applied; null when none has (or the file is unreadable).</summary>
    public string? ReadPosition()
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(_directory, "position")).Trim();
            return text.Length is > 0 and < 256 ? text : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Records the position (write and rename, so readers see a whole one). Sessions race here
    /// harmlessly: applying a change is idempotent, so a position that moves back only makes the
    /// next reader apply a few changes again.
    /// </summary>
    public void WritePosition(string position) => WriteAtomically("position", position);

    private string ReadOrCreateNodeId()
    {
        string path = Path.Combine(_directory, "node-id");
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                string text = File.ReadAllText(path).Trim();
                if (text.Length == 32 && !text.AsSpan().ContainsAnyExcept("0123456789abcdef"))
                {
                    return text;
                }
            }
            catch (FileNotFoundException)
            {
                // First session with a remote tier: make the name below.
            }

            if (attempt > 0)
            {
                // Unreadable, or another process's write lost a race with ours: replace it whole.
                WriteAtomically("node-id", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
                continue;
            }

            try
            {
                using var file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                file.Write(System.Text.Encoding.ASCII.GetBytes(id));
                return id;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first: read theirs.
                Thread.Sleep(1);
            }

            if (attempt > 100)
            {
                throw new IOException($"Cannot read or create the node name '{path}'.");
            }
        }
    }

    private void WriteAtomically(string name, string text)
    {
        string temp = Path.Combine(_directory, $".{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(_directory, name), overwrite: true);
    }
}
