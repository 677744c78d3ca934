using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Cross-process locks on keys, striped: <c>&lt;cache&gt;/locks/&lt;stripe&gt;.lock</c>, held with an
/// exclusive <c>flock</c>. Every step that changes which file a key's name holds (publish, remove,
/// quarantine, reclaim) runs under its key's stripe, so two such steps never interleave, in this
/// process or another.
/// </summary>
/// <remarks>
/// Each acquisition opens its own descriptor: flock belongs to the open file description, so two
/// threads of one process exclude each other as two processes do, and the kernel drops a killed
/// process's locks. Held for a rename and a few unlinks at most, never for a payload's I/O, and
/// never while the cache's in-process lock is held. Thread-safe.
/// </remarks>
internal sealed class KeyLocks
{
    public const int StripeCount = 256;
    public const string DirectoryName = "locks";

    private readonly string _directory;

    public KeyLocks(string cacheDirectory)
    {
        _directory = Path.Combine(cacheDirectory, DirectoryName);
        CacheDirectory.EnsurePrivateDirectory(_directory);
    }

    /// <summary>Blocks until this caller holds the stripe of <paramref name="bucket"/>; dispose to release.</summary>
    /// <exception cref="IOException">The lock file cannot be opened or locked.</exception>
    public Held Acquire(int bucket)
    {
        return new Held(LockedFile.Open(Path.Combine(_directory, $"{bucket % StripeCount:x2}.lock")));
    }

    /// <summary>
    /// Blocks until this caller holds the lock of exactly one key (<c>locks/keys/&lt;type dir&gt;-&lt;digest&gt;.lock</c>),
    /// for work that may take long and must run once per node: a remote fetch, a GetOrCreate's fill.
    /// Stripes would make unrelated keys wait for each other's fill, so each key has its own file;
    /// the holder removes it on release, and a waiter that then finds its locked file unlinked (or
    /// replaced) starts again.
    /// </summary>
    /// <exception cref="IOException">The lock file cannot be created or locked.</exception>
    public HeldKey AcquireKey(KeyLocation at) => AcquireKeyFile(at, ".lock");

    /// <summary>
    /// Blocks until this caller holds the lock under which a compressed key's node-shared raw copy is
    /// built (<c>locks/keys/&lt;type dir&gt;-&lt;digest&gt;.raw.lock</c>), so the processes of a node
    /// decompress it once. A lock of its own, not <see cref="AcquireKey"/>'s: a fetch or a fill holds
    /// that one while it gets the key, and the get may then decompress; flock is not re-entrant.
    /// </summary>
    /// <exception cref="IOException">The lock file cannot be created or locked.</exception>
    public HeldKey AcquireRawCopy(KeyLocation at) => AcquireKeyFile(at, ".raw.lock");

    private HeldKey AcquireKeyFile(KeyLocation at, string extension)
    {
        string directory = Path.Combine(_directory, "keys");
        CacheDirectory.EnsurePrivateDirectory(directory);
        string path = Path.Combine(directory, $"{Path.GetFileName(at.TypeDirectory)}-{at.KeyDigest}{extension}");
        while (true)
        {
            SafeFileHandle file = LockedFile.Open(path);
            if (LockedFile.StillNamed(file, path))
            {
                return new HeldKey(file, path);
            }

            file.Dispose(); // its previous holder removed it while we waited: lock the current file
        }
    }

    /// <summary>A held per-key lock: released by removing its file, then closing it.</summary>
    public readonly struct HeldKey(SafeFileHandle file, string path) : IDisposable
    {
        public void Dispose()
        {
            FileRemoval.TryDelete(path);
            file.Dispose();
        }
    }

    /// <summary>A held stripe; closing the descriptor releases the lock.</summary>
    public readonly struct Held(SafeFileHandle file) : IDisposable
    {
        public void Dispose() => file.Dispose();
    }
}
