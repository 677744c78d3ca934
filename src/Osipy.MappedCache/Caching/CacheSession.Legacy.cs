using System.Runtime.InteropServices;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Legacy;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// osipy's own cache files (<see cref="CacheConfig.LegacyOsipyDir"/>): on a miss, the file osipy
/// wrote for the key is read and stored by a normal put under the type's policy, and the get then
/// finds it as it finds any entry. A file of another result type, an expired one or a bad one is
/// a miss (a bad one logged with its reason); nothing is ever unpickled, and osipy's directory is
/// never written to.
/// </summary>
/// <remarks>
/// Runs in a miss's slow path: outside the table's lock, holding the key's single flight, so
/// concurrent first gets of a key in this session read osipy's file once. Sessions or processes
/// missing the same key at once may each read it; the puts replace one another with the same data.
/// </remarks>
internal sealed partial class CacheSession
{
    /// <summary>Stores osipy's file of the key if there is a good one; false if not (logged, for a file that is there but unusable).</summary>
    private bool TryImportLegacy(EntryKey key)
    {
        if (_legacy is null)
        {
            return false;
        }

        LegacyFind found = _legacy.Find(key.ResultType, key.Key, _settings.Time.GetUtcNow(), _settings.MaxAgeSeconds);
        switch (found.Outcome)
        {
            case LegacyOutcome.Absent:
                return false;
            case LegacyOutcome.Expired:
                Log.LegacyExpired(_settings.Logger, found.Path, key.Key, key.ResultType, found.Reason!);
                return false;
            case LegacyOutcome.OtherType or LegacyOutcome.Unreadable:
                Log.LegacyRejected(_settings.Logger, found.Path, key.Key, key.ResultType, found.Reason!);
                return false;
        }

        using OsipyNpzFile file = found.File!;
        try
        {
            if (!StoreLegacy(key, file, LegacyOsipyLookup.CreatedAt(file)))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A get answers with a miss, as osipy's own does for a file it cannot load.
            Log.LegacyRejected(_settings.Logger, found.Path, key.Key, key.ResultType, ex.Message);
            return false;
        }

        Log.LegacyImported(_settings.Logger, found.Path, key.Key, key.ResultType);
        return true;
    }

    /// <summary>
    /// Stores the osipy file at <paramref name="path"/> (any name) under the key, as a put made now;
    /// see <see cref="IntermediateCache.ImportOsipyFile"/>. Null for a TRANSIENT type.
    /// </summary>
    public CacheEntry? ImportOsipyFile(string path, EntryKey key)
    {
        ThrowIfDisposed();
        try
        {
            using OsipyNpzFile file = LegacyOsipyLookup.Open(path, key.ResultType, namedByUser: true)
                ?? throw new FileNotFoundException($"'{path}' does not exist.", path);
            return StoreLegacy(key, file, _settings.Time.GetUtcNow()) ? GetEntry(key) : null;
        }
        catch (Exception ex) when (ex is LegacyFormatException or LegacyTypeException)
        {
            throw new InvalidDataException($"'{path}' is not usable as an osipy cache file of '{key.ResultType}': {ex.Message}.", ex);
        }
    }

    /// <summary>A normal put of the file's arrays and metadata, created at <paramref name="createdAt"/>; false for a TRANSIENT type.</summary>
    /// <exception cref="LegacyFormatException">Its metadata or a payload is unusable; nothing is published.</exception>
    private bool StoreLegacy(EntryKey key, OsipyNpzFile file, DateTimeOffset createdAt)
    {
        string metadataJson = OsipyMetadata.ToEntryJson(file.MetadataJson);
        var arrays = new ArrayDraft[file.Arrays.Count];
        for (int i = 0; i < arrays.Length; i++)
        {
            arrays[i] = new ArrayDraft(file.Arrays[i].Name, file.Arrays[i].DType, file.Arrays[i].Shape);
        }

        if (Draft(key, file.IsDict ? SegmentKind.Bundle : SegmentKind.SingleArray, arrays, metadataJson) is not { } draft)
        {
            return false;
        }

        draft = draft with { CreatedUnixMilliseconds = createdAt.ToUnixTimeMilliseconds() };
        if (file.IsDict)
        {
            var sources = new Action<SegmentWriter>[file.Arrays.Count];
            for (int i = 0; i < sources.Length; i++)
            {
                OsipyNpzArray array = file.Arrays[i];
                sources[i] = writer => array.CopyTo(piece => ByteSource.With(piece, writer.Append));
            }

            PutBundle(draft, sources); // a payload that fails its checks throws before the seal: nothing is published
            return true;
        }

        // One array: zero-copy into the new segment, which then goes the way of any Create (compressed at rest where configured).
        return DTypes.Dispatch<LegacyArrayCopy, bool>(file.Arrays[0].DType, new LegacyArrayCopy(this, draft, file.Arrays[0]));
    }

    /// <summary>Copies one osipy array into a <see cref="Create{T}"/>d segment and commits it.</summary>
    private readonly struct LegacyArrayCopy(CacheSession session, SegmentDraft draft, OsipyNpzArray array) : IElementTypeVisitor<bool>
    {
        public bool Visit<T>()
            where T : unmanaged
        {
            using MappedArrayWriter<T> writer = session.Create<T>(draft);
            int itemSize = DTypes.ItemSize(array.DType);
            long next = 0;
            array.CopyTo(piece =>
            {
                int count = piece.Length / itemSize;
                piece.CopyTo(MemoryMarshal.AsBytes(writer.GetSpan(next, count)));
                next += count;
            });
            writer.Commit().Dispose(); // disposing an uncommitted writer (a payload that failed) publishes nothing
            return true;
        }
    }
}
