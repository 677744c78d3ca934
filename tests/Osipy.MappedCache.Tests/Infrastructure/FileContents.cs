using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// Reads files whole with open(2) and pread, to look for data left behind: session and lock files
/// are flock'ed, which .NET's own file sharing would take for a conflict.
/// </summary>
public static class FileContents
{
    /// <summary>Every file under <paramref name="root"/> whose bytes hold <paramref name="pattern"/>.</summary>
    public static List<string> FilesHolding(string root, byte[] pattern) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(path => Read(path).AsSpan().IndexOf(pattern) >= 0)];

    /// <summary>The bytes of <paramref name="path"/>; empty if it went meanwhile.</summary>
    public static byte[] Read(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return [];
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        var bytes = new byte[RandomAccess.GetLength(file)];
        int read = 0;
        while (read < bytes.Length && RandomAccess.Read(file, bytes.AsSpan(read), read) is > 0 and int n)
        {
            read += n;
        }

        return bytes;
    }
}
