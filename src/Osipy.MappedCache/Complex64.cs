using System.Runtime.InteropServices;

namespace Osipy.MappedCache;

/// <summary>
/// A single-precision complex number, numpy's <c>complex64</c> (NPY <c>&lt;c8</c>): the element
/// type of many MRI reconstructions, which .NET's <see cref="System.Numerics.Complex"/> (two
/// doubles, numpy's <c>complex128</c>) is not. Laid out as numpy lays it out: real, then imaginary.
/// </summary>
/// <param name="Real">The real part.</param>
/// <param name="Imaginary">The imaginary part.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Complex64(float Real, float Imaginary)
{
    /// <summary>The magnitude, |z|.</summary>
    public float Magnitude => MathF.Sqrt((Real * Real) + (Imaginary * Imaginary));

    /// <summary>Widens to a double-precision <see cref="System.Numerics.Complex"/>.</summary>
    public static implicit operator System.Numerics.Complex(Complex64 value) => new(value.Real, value.Imaginary);
}
