namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Counters shared by every session and process on a cache directory: <c>&lt;cache&gt;/generations</c>,
/// one 64-bit counter per key bucket (a <see cref="SharedTable"/>). Whatever changes the file a
/// key's name holds (publish, remove, quarantine, reclaim) bumps the key's counter after the
/// change, under the key's lock; a get compares the counter with the value it saw when it admitted
/// the entry, and trusts its table only if nothing changed.
/// </summary>
/// <remarks>
/// <para>A hit costs one read of shared memory. Counters are bumped with a locked add, which is
/// atomic across processes on a shared mapping.</para>
/// <para>Where the file cannot be created or mapped writable (a read-only directory), the table is
/// <see cref="Unavailable"/>: every read returns a fresh value, so each get re-checks the file
/// with a statx instead.</para>
/// </remarks>
internal sealed class GenerationTable
{
    public const string FileName = "generations";

    private readonly SharedTable? _table;
    private long _fallback;

    private GenerationTable(SharedTable? table) => _table = table;

    /// <summary>A table that never vouches for an entry: every read differs from the last.</summary>
    public static GenerationTable Unavailable() => new(null);

    public bool IsShared => _table is not null;

    /// <summary>The table of <paramref name="count"/> counters in <paramref name="directory"/>, opened (and created) once per process.</summary>
    /// <returns>The shared table, or <see cref="Unavailable"/> when the file cannot be created or mapped.</returns>
    public static GenerationTable ForDirectory(string directory, int count) =>
        SharedTable.ForDirectory(directory, FileName, count) is { } table ? new GenerationTable(table) : Unavailable();

    /// <summary>The current value of <paramref name="bucket"/>'s counter.</summary>
    public long Read(int bucket) =>
        _table is null ? Interlocked.Increment(ref _fallback) : Volatile.Read(ref _table[bucket]);

    /// <summary>Advances <paramref name="bucket"/>'s counter; call after the change, under the key's lock.</summary>
    public void Bump(int bucket)
    {
        if (_table is not null)
        {
            Interlocked.Increment(ref _table[bucket]);
        }
    }
}
