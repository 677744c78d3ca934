using System.Numerics;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// NIfTI's <c>scl_slope</c>/<c>scl_inter</c>: a stored value <c>x</c> means <c>x * slope + inter</c>,
/// computed as nibabel computes <c>np.asanyarray(img.dataobj)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Scaling applies when the slope is finite and nonzero and the pair is not (1, 0), as in nibabel's
/// <c>Nifti1Header.get_slope_inter</c>. The result type is nibabel's: that method hands the two
/// float32 fields on as Python floats (float64), and <c>volumeutils.apply_read_scaling</c> works in
/// the wider of the data's type and theirs, with integer data in the smallest float type, starting
/// from the slope's (float64), that holds <c>min * slope + inter</c> and <c>max * slope + inter</c>
/// (<c>int_scinter_ftype</c>). So every integer and float type becomes float64 and complex64
/// becomes complex128: an int16 file with a slope of 3e38 has finite values, not the infinities a
/// float32 result would hold.
/// </para>
/// <para>
/// Each value is computed as numpy does: converted to float64, multiplied by the slope unless it is 1,
/// then the intercept added unless it is 0, each step rounded to float64; complex values are
/// multiplied by the complex slope (slope + 0i) and the intercept is added to the real part.
/// </para>
/// </remarks>
internal sealed class NiftiScaling
{
    private NiftiScaling(double slope, double inter, ElementType output)
    {
        Slope = slope;
        Inter = inter;
        Output = output;
    }

    public double Slope { get; }

    public double Inter { get; }

    /// <summary>The element type of the scaled values: float64, or complex128 for complex64 data.</summary>
    public ElementType Output { get; }

    /// <summary>Returns the scaling the header asks for, or null when the stored values are the values.</summary>
    /// <exception cref="InvalidDataException">The slope applies but the intercept is not finite.</exception>
    public static NiftiScaling? Create(ElementType stored, float slope, float inter, string path)
    {
        if (!float.IsFinite(slope) || slope == 0 || (slope == 1 && inter == 0))
        {
            return null;
        }

        if (!float.IsFinite(inter))
        {
            throw InvalidFile.Exception(path, $"scl_slope is {slope} but scl_inter is {inter}, not a finite number");
        }

        return new NiftiScaling(slope, inter, stored.Code == ElementCode.Complex64 ? ElementType.Complex128 : ElementType.Float64);
    }

    /// <summary>Scales little-endian <paramref name="stored"/> elements from <paramref name="raw"/> into <paramref name="output"/>.</summary>
    public void Apply(ElementType stored, ReadOnlySpan<byte> raw, Span<byte> output)
    {
        switch (stored.Code)
        {
            case ElementCode.UInt8: Scale<byte>(raw, output); break;
            case ElementCode.Int8: Scale<sbyte>(raw, output); break;
            case ElementCode.Int16: Scale<short>(raw, output); break;
            case ElementCode.UInt16: Scale<ushort>(raw, output); break;
            case ElementCode.Int32: Scale<int>(raw, output); break;
            case ElementCode.UInt32: Scale<uint>(raw, output); break;
            case ElementCode.Int64: Scale<long>(raw, output); break;
            case ElementCode.UInt64: Scale<ulong>(raw, output); break;
            case ElementCode.Float32: Scale<float>(raw, output); break;
            case ElementCode.Float64: Scale<double>(raw, output); break;
            case ElementCode.Complex64: ScaleComplex(raw, output); break;
            default: throw new ArgumentOutOfRangeException(nameof(stored), stored, "NIfTI has no such stored type.");
        }
    }

    private void Scale<T>(ReadOnlySpan<byte> raw, Span<byte> output)
        where T : unmanaged, INumberBase<T>
    {
        ReadOnlySpan<T> values = MemoryMarshal.Cast<byte, T>(raw);
        Span<double> scaled = MemoryMarshal.Cast<byte, double>(output);
        for (int i = 0; i < values.Length; i++)
        {
            double value = double.CreateTruncating(values[i]);
            if (Slope != 1)
            {
                value *= Slope;
            }

            if (Inter != 0)
            {
                value += Inter;
            }

            scaled[i] = value;
        }
    }

    private void ScaleComplex(ReadOnlySpan<byte> raw, Span<byte> output)
    {
        ReadOnlySpan<float> parts = MemoryMarshal.Cast<byte, float>(raw);
        Span<double> scaled = MemoryMarshal.Cast<byte, double>(output);
        for (int i = 0; i < parts.Length; i += 2)
        {
            double re = parts[i];
            double im = parts[i + 1];
            if (Slope != 1)
            {
                // (re + im i)(slope + 0i), as numpy multiplies complex numbers.
                (re, im) = ((re * Slope) - (im * 0.0), (re * 0.0) + (im * Slope));
            }

            scaled[i] = Inter != 0 ? re + Inter : re;
            scaled[i + 1] = Inter != 0 ? im + 0.0 : im;
        }
    }
}
