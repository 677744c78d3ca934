using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Sessions;

/// <summary>
/// A session's registration: <c>&lt;cache&gt;/sessions/&lt;id&gt;.session</c>, exclusively flock'ed for
/// as long as the session lives, and a journal of what the session may leave behind if it dies —
/// the directories it writes temporary files into and the CACHED segments it publishes.
/// </summary>
/// <remarks>
/// Journal lines are written <em>before</em> the thing they name exists, so a crash at any point
/// leaves nothing unlisted. Each line is <c>T &lt;store&gt; &lt;dir&gt;</c> or <c>C &lt;store&gt; &lt;dir&gt;/&lt;file&gt;</c>,
/// where store is <c>P</c> (the cache directory) or <c>C</c> (the CACHED directory).
/// Thread-safe.
/// </remarks>
internal sealed class SessionFile : IDisposable
{
    public const string DirectoryName = "sessions";
    public const string Extension = ".session";

    private readonly SafeFileHandle _file;
    private readonly HashSet<string> _journaledDirectories = [];
    private readonly Lock _gate = new();
    private long _length;
    private bool _disposed;

    private SessionFile(string path, SafeFileHandle file)
    {
        Path = path;
        _file = file;
    }

    public string Path { get; }

    /// <summary>Files being registered: <c>.&lt;id&gt;.registering</c>, invisible to the reclaimer's <c>*.session</c> scan.</summary>
    public const string RegisteringSuffix = ".registering";

    /// <summary>
    /// Creates and locks the session file of <paramref name="sessionId"/>. The file is created
    /// under a hidden name, locked, and only then renamed to its <c>.session</c> name, so no other
    /// process can see a session's name before its lock is held (and take it for dead).
    /// </summary>
    /// <exception cref="IOException">The file cannot be created, locked or named.</exception>
    public static SessionFile Register(string sessionsDirectory, string sessionId)
    {
        string path = System.IO.Path.Combine(sessionsDirectory, sessionId + Extension);
        string registering = System.IO.Path.Combine(sessionsDirectory, "." + sessionId + RegisteringSuffix);
        SafeFileHandle file = OpenNoFollow(registering, create: true) ?? throw new IOException($"Session file '{registering}' vanished while being created.");
        try
        {
            if (Libc.Flock((int)file.DangerousGetHandle(), Libc.LOCK_EX | Libc.LOCK_NB) != 0)
            {
                throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "flock", registering);
            }

            File.Move(registering, path, overwrite: false);
            return new SessionFile(path, file);
        }
        catch
        {
            file.Dispose();
            FileRemoval.TryDelete(registering); // never named: nobody else saw it
            throw;
        }
    }

    /// <summary>Journals a directory this session is about to write temporary files into (once per directory).</summary>
    /// <exception cref="IOException">The line cannot be written (a full disk): the caller must not create the file.</exception>
    public void NoteTempDirectory(char store, string directoryName)
    {
        lock (_gate)
        {
            // Counted as journaled only once the line is written: a line that failed is tried again.
            if (!_journaledDirectories.Contains(store + directoryName))
            {
                Append($"T {store} {directoryName}\n");
                _journaledDirectories.Add(store + directoryName);
            }
        }
    }

    /// <summary>Journals a CACHED segment this session is about to publish.</summary>
    public void NoteCachedSegment(char store, string directoryName, string fileName)
    {
        lock (_gate)
        {
            Append($"C {store} {directoryName}/{fileName}\n");
        }
    }

    /// <summary>Ends the registration: the file is removed, then the lock released.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            // Left behind if this fails (a read-only directory, say): once the lock is released
            // below, the next session sees it as dead and removes it.
            FileRemoval.TryDelete(Path);
            _file.Dispose();
        }
    }

    /// <summary>Opens a session file without following symlinks; null if it does not exist.</summary>
    internal static SafeFileHandle? OpenNoFollow(string path, bool create)
    {
        int flags = Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | (create ? Libc.O_CREAT : 0);
        int fd = Libc.Open(path, flags, 0x180 /* 0600 */);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT && !create ? null : throw Libc.IOExceptionFor(errno, "open", path);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private void Append(string line)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        RandomAccess.Write(_file, bytes, _length);
        _length += bytes.Length;
    }
}
