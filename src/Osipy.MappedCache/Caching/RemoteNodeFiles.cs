using System.Security.Cryptography;
using Osipy.MappedCache.Files;

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
        // Read, and made if missing or damaged, under a lock on remote/node-id.lock (never removed):
        // processes opening a new directory at once all read the one name the first of them wrote.
        string path = Path.Combine(_directory, "node-id");
        if (TryReadNodeId(path).Id is { } id)
        {
            return id; // the usual case: no lock needed to read a name published whole
        }

        using Microsoft.Win32.SafeHandles.SafeFileHandle held = LockedFile.Open(Path.Combine(_directory, "node-id.lock"));
        if (TryReadNodeId(path).Id is { } made)
        {
            return made;
        }

        string name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        WriteAtomically("node-id", name);
        return name;
    }

    /// <summary>The node name in <paramref name="path"/>, and whether the file exists (a file without a valid name is damaged).</summary>
    private static (string? Id, bool Exists) TryReadNodeId(string path)
    {
        try
        {
            string text = File.ReadAllText(path).Trim();
            return (text.Length == 32 && !text.AsSpan().ContainsAnyExcept("0123456789abcdef") ? text : null, true);
        }
        catch (FileNotFoundException)
        {
            return (null, false);
        }
    }

    private void WriteAtomically(string name, string text)
    {
        string temp = Path.Combine(_directory, $".{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(_directory, name), overwrite: true);
    }
}
