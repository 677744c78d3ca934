namespace Osipy.MappedCache;

/// <summary>What <see cref="IntermediateCache.VerifyAll"/> found.</summary>
/// <param name="Checked">Segment files whose payload was checked.</param>
/// <param name="Corrupt">One line per bad file: its path and what was wrong. Each was quarantined.</param>
public sealed record VerifyReport(int Checked, IReadOnlyList<string> Corrupt);

/// <summary>Progress of <see cref="IntermediateCache.VerifyAll"/>: files done out of files found.</summary>
/// <param name="Done">Files checked so far.</param>
/// <param name="Total">Files to check.</param>
public readonly record struct VerifyProgress(int Done, int Total);
