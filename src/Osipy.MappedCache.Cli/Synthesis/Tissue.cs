namespace Osipy.MappedCache.Cli.Synthesis;

/// <summary>What the phantom says about one voxel inside the body.</summary>
/// <param name="T1Ms">Native T1, in milliseconds.</param>
/// <param name="AmplitudeMm">Height of the first-pass bolus, in mmol/L of contrast agent.</param>
/// <param name="TimeToPeakSeconds">From bolus arrival to the first-pass peak.</param>
/// <param name="LeakageFraction">Plateau of the extravascular leakage, as a fraction of the amplitude.</param>
internal readonly record struct Tissue(float T1Ms, float AmplitudeMm, float TimeToPeakSeconds, float LeakageFraction);
