using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Every step that changes which file a key's name holds, each under the key's cross-process
/// lock and each followed by a bump of the key's generation counter: publishing a sealed
/// temporary segment, removing a key, removing a file only if it is still a given one, and
/// moving a bad file aside. It also publishes and removes the key's raw copy
/// (<see cref="RawCopyFile"/>, under <paramref name="rawCopyRoot"/>), under the same lock.
/// </summary>
/// <remarks>
/// Invariant: a key has at most one segment file (of one kind) once any of these steps returns,
/// and the generation counter of the key's bucket has moved past every completed change. Two
/// steps on one key never interleave, in one process or several, so racing publishes of
/// different kinds leave the last one published, and a session unlinks only a file it can
/// still identify as its own. A raw copy is only published while its source is still the file
/// it was made from, and every step that replaces or removes a compressed file removes the raw
/// copy first, so a completed step never leaves a copy of a source that is gone (a kill between
/// the two unlinks leaves the source without a copy, which the next get rebuilds). Raw copies are
/// not trusted through the generation counters (a get checks each against its source), so their
/// steps do not bump them. Thread-safe.
/// </remarks>
internal sealed class SegmentPublisher(KeyLocks locks, GenerationTable generations, string rawCopyRoot)
{
    /// <summary>What a publication made visible: the segment's path, which file it is, and the generation after it.</summary>
    public readonly record struct Published(string Path, FileIdentity Identity, long Generation);

    public GenerationTable Generations => generations;

    /// <summary>
    /// Renames <paramref name="file"/> over the key's name for <paramref name="kind"/> and removes
    /// the key's files of other kinds: the last publication wins, atomically for readers.
    /// </summary>
    /// <exception cref="IOException">The rename or a removal failed.</exception>
    public Published Publish(TempSegment file, KeyLocation at, SegmentKind kind)
    {
        string path = at.PathFor(kind);
        using KeyLocks.Held held = locks.Acquire(at.Bucket);
        DropRawCopy(at); // a compressed file of the key is replaced or removed below
        SafeFileHandle? replaced = ReplacedFile.Hold(path);
        try
        {
            file.RenameTo(path);
        }
        finally
        {
            ReplacedFile.ReleaseLater(replaced);
        }

        foreach (SegmentKind other in SegmentStore.AllKinds)
        {
            if (other != kind)
            {
                FileRemoval.Delete(at.PathFor(other));
            }
        }

        generations.Bump(at.Bucket);
        // Read under the lock: no other change to this key can come between the bump and this read.
        return new Published(path, FileIdentity.Of(file.Handle, path), generations.Read(at.Bucket));
    }

    /// <summary>Removes every file of the key.</summary>
    /// <returns>Whether any file was removed.</returns>
    public bool Remove(KeyLocation at)
    {
        using KeyLocks.Held held = locks.Acquire(at.Bucket);
        DropRawCopy(at);
        bool removed = false;
        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            removed |= FileRemoval.Delete(at.PathFor(kind));
        }

        generations.Bump(at.Bucket);
        return removed;
    }

    /// <summary>Removes the segment at <paramref name="path"/> only if it is still <paramref name="identity"/>.</summary>
    /// <returns>Whether it was removed; false when another writer has replaced it or it is gone.</returns>
    public bool RemoveIfSame(string path, FileIdentity identity)
    {
        KeyLocation at = KeyLocation.OfSegmentPath(path);
        using KeyLocks.Held held = locks.Acquire(at.Bucket);
        if (FileIdentity.OfPath(path) != identity)
        {
            return false;
        }

        DropRawCopyIfCompressed(path, at);
        bool removed = FileRemoval.Delete(path);
        generations.Bump(at.Bucket);
        return removed;
    }

    /// <summary>
    /// Removes the segment at <paramref name="path"/> if, opened and validated under the key's
    /// lock, <paramref name="shouldRemove"/> accepts it (the reclaimer's "still a dead session's").
    /// </summary>
    /// <returns>The bytes removed, or null when nothing was.</returns>
    /// <exception cref="CorruptSegmentException">The file is not a valid segment.</exception>
    public long? RemoveIf(string path, Func<SegmentRecord, bool> shouldRemove)
    {
        KeyLocation at = KeyLocation.OfSegmentPath(path);
        using KeyLocks.Held held = locks.Acquire(at.Bucket);
        long length;
        using (OpenedSegment? opened = SegmentReader.TryOpen(path))
        {
            if (opened is null || !shouldRemove(opened.Record))
            {
                return null;
            }

            length = opened.Length;
        }

        DropRawCopyIfCompressed(path, at);
        bool removed = FileRemoval.Delete(path);
        generations.Bump(at.Bucket);
        return removed ? length : null;
    }

    /// <summary>
    /// Moves a file that failed validation into <paramref name="quarantine"/>, if the path still
    /// names the file that failed (<paramref name="identity"/>; null when it could not be opened).
    /// </summary>
    /// <returns>Where it went; null if it was left (replaced since) or could only be removed.</returns>
    public string? Quarantine(string path, FileIdentity? identity, Quarantine quarantine)
    {
        KeyLocation at = KeyLocation.OfSegmentPath(path);
        using KeyLocks.Held held = locks.Acquire(at.Bucket);
        if (identity is { } expected && FileIdentity.OfPath(path) != expected)
        {
            return null; // replaced by a good file since: leave that one alone
        }

        DropRawCopyIfCompressed(path, at);
        string? target = quarantine.Admit(path);
        generations.Bump(at.Bucket);
        return target;
    }

    /// <summary>
    /// Renames a sealed raw copy over <paramref name="rawPath"/>, the key's raw copy, if
    /// <paramref name="sourcePath"/> still names <paramref name="sourceFile"/>, the compressed
    /// file it was made from: a source replaced or removed meanwhile keeps no copy of its old bytes.
    /// </summary>
    /// <returns>Whether it was published; when not, the file is still the caller's temporary file.</returns>
    /// <exception cref="IOException">The rename failed.</exception>
    public bool PublishRawCopy(TempSegment file, string rawPath, string sourcePath, FileIdentity sourceFile)
    {
        using KeyLocks.Held held = locks.Acquire(KeyLocation.OfSegmentPath(sourcePath).Bucket);
        if (FileIdentity.OfPath(sourcePath) != sourceFile)
        {
            return false;
        }

        file.RenameTo(rawPath);
        return true;
    }

    /// <summary>Removes the raw copy at <paramref name="rawPath"/>, only if it is still <paramref name="identity"/> when one is given.</summary>
    /// <returns>Whether a file was removed.</returns>
    public bool RemoveRawCopy(string rawPath, FileIdentity? identity = null)
    {
        using KeyLocks.Held held = locks.Acquire(KeyLocation.OfSegmentPath(rawPath).Bucket);
        return (identity is null || FileIdentity.OfPath(rawPath) == identity) && FileRemoval.Delete(rawPath);
    }

    /// <summary>Removes the raw copy at <paramref name="rawPath"/> if its source, <paramref name="sourcePath"/>, no longer exists (the reclaimer's rule).</summary>
    /// <returns>The bytes removed, or null when nothing was.</returns>
    public long? RemoveRawCopyWithoutSource(string rawPath, string sourcePath)
    {
        if (FileIdentity.OfPath(sourcePath) is not null)
        {
            return null; // the common case, answered without the lock
        }

        using KeyLocks.Held held = locks.Acquire(KeyLocation.OfSegmentPath(rawPath).Bucket);
        if (FileIdentity.OfPath(sourcePath) is not null || FileIdentity.OfPath(rawPath) is not { } copy)
        {
            return null;
        }

        return FileRemoval.Delete(rawPath) ? (long)copy.Size : null;
    }

    private void DropRawCopy(KeyLocation at) => FileRemoval.Delete(RawCopyFile.PathFor(rawCopyRoot, at));

    private void DropRawCopyIfCompressed(string path, KeyLocation at)
    {
        if (path.EndsWith(SegmentStore.CompressedExtension, StringComparison.Ordinal))
        {
            DropRawCopy(at);
        }
    }
}
