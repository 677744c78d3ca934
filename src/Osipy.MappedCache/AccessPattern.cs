namespace Osipy.MappedCache;

/// <summary>How a lease's data is about to be read: a hint to the kernel's paging (madvise).</summary>
/// <remarks>Hints never change the data a view shows, except <see cref="Done"/> on pages written through a view.</remarks>
public enum AccessPattern
{
    /// <summary>No particular pattern (the default read-ahead).</summary>
    Normal,

    /// <summary>Front to back, once: aggressive read-ahead, pages dropped soon after. For a whole-array pass.</summary>
    Sequential,

    /// <summary>Scattered reads: no read-ahead. For voxel lookups across a large series.</summary>
    Random,

    /// <summary>Needed soon: start reading it in now, in the background.</summary>
    WillNeed,

    /// <summary>
    /// Not needed for now: the pages are released (they are read back from the file if touched
    /// again). Writes made through any view of the same mapping in this process are discarded.
    /// </summary>
    Done,
}
