using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>Verification: payload checksums recomputed outside every lock; a bad file is quarantined (if still the one read).</summary>
internal sealed partial class CacheSession
{
    /// <summary>true if intact, false if corrupt (now quarantined), null if there is no such entry.</summary>
    public bool? Verify(EntryKey key)
    {
        ThrowIfDisposed();
        KeyLocation at = Locate(key, _settings.PolicyOf(key.ResultType));
        long corruptBefore = Volatile.Read(ref _counters.CorruptSegments);
        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            using OpenedSegment? opened = _loader.OpenValidated(at.PathFor(kind), key);
            if (opened is null)
            {
                continue;
            }

            if (PayloadProblem(opened) is not { } problem)
            {
                return true;
            }

            _entries.Forget(key);
            _loader.SetAside(opened.Path, opened.Identity, problem);
            return false;
        }

        return Volatile.Read(ref _counters.CorruptSegments) > corruptBefore ? false : null;
    }

    /// <summary>Verifies every segment file of every store, reporting progress after each.</summary>
    public VerifyReport VerifyAll(IProgress<VerifyProgress>? progress)
    {
        ThrowIfDisposed();
        List<FileInfo> files = [.. _stores.Segments(resultType: null)];
        var corrupt = new List<string>();
        int done = 0;
        foreach (FileInfo file in files)
        {
            string? problem;
            FileIdentity? identity = null;
            try
            {
                using OpenedSegment? opened = SegmentReader.TryOpen(file.FullName);
                identity = opened?.Identity;
                problem = opened is null ? null : PayloadProblem(opened);
            }
            catch (CorruptSegmentException ex) when (!ex.FromNewerVersion)
            {
                problem = ex.Reason;
                identity = ex.Identity;
            }

            if (problem is not null)
            {
                corrupt.Add($"{file.FullName}: {problem}");
                _loader.SetAside(file.FullName, identity, problem);
            }

            done++;
            progress?.Report(new VerifyProgress(done, files.Count));
        }

        return new VerifyReport(done, corrupt);
    }

    /// <summary>What is wrong with a validated segment's payload, or null if every checksum matches.</summary>
    private string? PayloadProblem(OpenedSegment opened)
    {
        SegmentMapping mapping;
        IReadOnlyList<ArrayRecord> layout;
        try
        {
            (mapping, layout) = _loader.MapForCheck(opened);
        }
        catch (CorruptSegmentException ex)
        {
            return ex.Reason;
        }

        using (mapping)
        {
            return SegmentLoader.FirstBadArray(mapping, opened.Record, layout) is { } bad ? $"payload checksum mismatch in array {bad}" : null;
        }
    }
}
