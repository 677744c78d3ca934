using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;
using Osipy.MappedCache.Files;

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

    /// <summary>
    /// Creates (O_EXCL) and locks a session file, named by a fresh id from <paramref name="newId"/>.
    /// A reclaimer in another process may open the new, not yet locked file, take its lock and
    /// remove it as dead before this call's lock is taken: so the lock is taken blocking (a
    /// reclaimer holds it only to read an empty journal), and once held, the path must still name
    /// the locked file; if it does not, registration starts again under another id. No live
    /// session is ever left without its file.
    /// </summary>
    /// <exception cref="IOException">The file cannot be created or locked.</exception>
    public static SessionFile Register(string sessionsDirectory, Func<string> newId, out string sessionId)
    {
        for (int attempt = 0; ; attempt++)
        {
            sessionId = newId();
            string path = System.IO.Path.Combine(sessionsDirectory, sessionId + Extension);
            SafeFileHandle file = LockedFile.Open(path, exclusiveCreate: true);
            if (LockedFile.StillNamed(file, path))
            {
                return new SessionFile(path, file);
            }

            file.Dispose(); // taken for dead and removed before it was locked: register anew
            if (attempt == 16)
            {
                throw new IOException($"Could not register a session in '{sessionsDirectory}': its session files keep being removed by another process.");
            }
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

    /// <summary>Opens an existing session file without following symlinks; null if it does not exist.</summary>
    internal static SafeFileHandle? OpenExisting(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT ? null : throw Libc.IOExceptionFor(errno, "open", path);
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
