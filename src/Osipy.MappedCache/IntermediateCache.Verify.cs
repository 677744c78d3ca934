using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>
    /// Recomputes the payload checksums of one entry (decompressing every chunk of a compressed
    /// one). A bad entry is quarantined and counted, and this session drops it.
    /// </summary>
    /// <returns>true if intact, false if corrupt (now quarantined), null if there is no such entry.</returns>
    /// <remarks>Reads the whole payload: costs in proportion to the array's size.</remarks>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public bool? Verify(string resultType, string key)
    {
        CheckKey(resultType, key);
        var entryKey = new EntryKey(resultType, key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long corruptBefore = _counters.CorruptSegments;
            using OpenedSegment? opened = OpenAnyKindFromDisk(entryKey, SegmentKind.SingleArray);
            if (opened is null)
            {
                return _counters.CorruptSegments > corruptBefore ? false : null;
            }

            if (PayloadProblem(opened) is not { } problem)
            {
                return true;
            }

            if (_table.Remove(entryKey) is { } state)
            {
                Release(state, deleteOwnedFile: false);
            }

            SetAside(opened.Path, problem);
            return false;
        }
    }

    /// <summary>
    /// <see cref="Verify"/> for every segment file in the cache directory (and the CACHED
    /// directory), reporting progress after each file.
    /// </summary>
    /// <remarks>Reads every payload. Other members of the cache stay usable meanwhile: the lock is taken only to set a bad file aside.</remarks>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public VerifyReport VerifyAll(IProgress<VerifyProgress>? progress = null)
    {
        ThrowIfDisposed();
        List<FileInfo> files = [.. AllSegmentFiles(resultType: null)];
        var corrupt = new List<string>();
        int done = 0;
        foreach (FileInfo file in files)
        {
            string? problem;
            try
            {
                using OpenedSegment? opened = SegmentReader.TryOpen(file.FullName);
                problem = opened is null ? null : PayloadProblem(opened);
            }
            catch (CorruptSegmentException ex) when (!ex.FromNewerVersion)
            {
                problem = ex.Reason;
            }

            if (problem is not null)
            {
                corrupt.Add($"{file.FullName}: {problem}");
                lock (_gate)
                {
                    SetAside(file.FullName, problem);
                }
            }

            progress?.Report(new VerifyProgress(++done, files.Count));
        }

        return new VerifyReport(done, corrupt);
    }

    /// <summary>What is wrong with a validated segment's payload, or null if every checksum matches.</summary>
    private string? PayloadProblem(OpenedSegment opened)
    {
        SegmentMapping mapping;
        IReadOnlyList<ArrayRecord> layout = opened.Record.Arrays;
        try
        {
            if (opened.Record.Kind == SegmentKind.Compressed)
            {
                (mapping, layout) = Decompress(opened);
            }
            else
            {
                mapping = SegmentMapping.MapPrivate(opened.File, opened.Length, opened.Path);
            }
        }
        catch (CorruptSegmentException ex)
        {
            return ex.Reason;
        }

        using (mapping)
        {
            return FirstBadArray(mapping, opened.Record, layout) is { } bad ? $"payload checksum mismatch in array {bad}" : null;
        }
    }
}
