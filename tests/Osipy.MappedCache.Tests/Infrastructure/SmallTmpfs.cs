using System.Diagnostics;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// A tiny tmpfs mounted for one test, to run out of space (or be made read-only) for real.
/// Needs root (CI runs as root); <see cref="TryMount"/> says why not otherwise.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private readonly List<string> _binds = [];

    private SmallTmpfs(string path) => Path = path;

    public string Path { get; }

    /// <returns>The mount, or null with <paramref name="whyNot"/> set.</returns>
    public static SmallTmpfs? TryMount(int megabytes, out string whyNot)
    {
        string path = Directory.CreateTempSubdirectory("osipy-mc-tmpfs-").FullName;
        (int exit, string output) = Command.Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path);
        if (exit != 0)
        {
            Directory.Delete(path);
            whyNot = $"cannot mount a tmpfs here (needs root): {output.Trim()}";
            return null;
        }

        whyNot = string.Empty;
        return new SmallTmpfs(path);
    }

    /// <summary>
    /// Makes <paramref name="directory"/> (inside this mount) read-only through a read-only bind
    /// mount: new opens for writing fail with EROFS, descriptors already open keep working.
    /// </summary>
    public void MakeReadOnly(string directory)
    {
        (int exit, string output) = Command.Run("mount", "--bind", directory, directory);
        Assert.True(exit == 0, output);
        (exit, output) = Command.Run("mount", "-o", "remount,ro,bind", directory);
        Assert.True(exit == 0, output);
        _binds.Add(directory);
    }

    public void Dispose()
    {
        foreach (string bind in _binds)
        {
            Command.Run("umount", "-l", bind);
        }

        Command.Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
