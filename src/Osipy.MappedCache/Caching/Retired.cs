namespace Osipy.MappedCache.Caching;

/// <summary>
/// Entries that left the table under the lock, to be let go after it: their mappings dropped
/// (the unmap happens when the last lease goes) and, where <see cref="EntryCache"/> decided so,
/// their files removed if they are still the ones this session knew.
/// </summary>
internal sealed class Retired
{
    private List<(EntryState State, bool RemoveFile)>? _items;
    private List<(EntryState State, bool Expired)>? _logged;
    private List<Mapping.SegmentMapping>? _mappings;

    public bool IsEmpty => _items is null && _mappings is null && _logged is null;

    /// <summary>Mappings taken from entries that stay in the table (unmapped to bound the mapping count).</summary>
    public IEnumerable<Mapping.SegmentMapping> Mappings => _mappings ?? [];

    public void AddMapping(Mapping.SegmentMapping mapping) => (_mappings ??= []).Add(mapping);

    public IEnumerable<(EntryState State, bool RemoveFile)> Items => _items ?? [];

    /// <summary>Evictions and expiries to log once the lock is released (a logger may write to a file).</summary>
    public IEnumerable<(EntryState State, bool Expired)> ToLog => _logged ?? [];

    /// <summary>Adds an entry that left the table; <paramref name="removeFile"/> asks for its file to go too.</summary>
    public void Add(EntryState state, bool removeFile) => (_items ??= []).Add((state, removeFile));

    /// <summary>Adds an entry evicted under the budget, or expired, to be logged after the lock.</summary>
    public void Log(EntryState state, bool expired) => (_logged ??= []).Add((state, expired));
}
