namespace Osipy.MappedCache.Mapping;

/// <summary>
/// A reference held on a <see cref="SegmentMapping"/>, as the code that reads through it sees it:
/// the mapping, and whether the reference has been given back (then every access must fail).
/// </summary>
/// <remarks>
/// Two kinds: <see cref="MappingLease"/> for the cache's own uses, and <see cref="MappedArray"/>,
/// which is its own lease so that a get makes one object (docs/DESIGN.md, "Leases").
/// </remarks>
internal interface IMappingLease
{
    /// <summary>The mapping this lease holds a reference on.</summary>
    SegmentMapping Mapping { get; }

    /// <summary>Whether the reference has been given back.</summary>
    bool IsDisposed { get; }
}
