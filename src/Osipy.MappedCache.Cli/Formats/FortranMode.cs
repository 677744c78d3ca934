namespace Osipy.MappedCache.Cli.Formats;

/// <summary>How a <see cref="FortranLayout"/> cuts the file into blocks that fit the memory budget.</summary>
internal enum FortranMode
{
    /// <summary>Consecutive whole planes per block: each row of the array gets a run of elements.</summary>
    WholePlanes,

    /// <summary>A plane is too big: consecutive slabs of its slowest axis per block, one element per row.</summary>
    Slabs,

    /// <summary>Even a slab is too big: pieces of a plane, placed element by element (slow, and rare).</summary>
    Elements,
}
