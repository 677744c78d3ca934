namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// One block of a <see cref="FortranLayout"/>, read or written whole: planes
/// <c>[FirstPlane, FirstPlane + Planes)</c>, and of each either the slabs <c>[First, First + Count)</c>
/// of its slowest axis or, in <see cref="FortranMode.Elements"/>, the positions <c>[First, First + Count)</c>.
/// </summary>
internal readonly record struct FortranBlock(long FirstPlane, int Planes, long First, int Count);
