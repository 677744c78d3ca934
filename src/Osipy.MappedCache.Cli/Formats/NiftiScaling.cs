using System.Numerics;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// NIfTI's <c>scl_slope</c>/<c>scl_inter</c>: a stored value <c>x</c> means <c>x * slope + inter</c>.
/// </summary>
/// <remarks>
/// Scaling applies when the slope is finite, nonzero and the pair is not (1, 0), as in nibabel. The
/// result is float32 for uint8, int8, int16, uint16 and float32 data and float64 for float64, int32,
/// uint32, int64 and uint64 data (whose values float32 cannot hold exactly); complex64 stays
/// complex64, with the intercept added to the real part. Every value is computed in double and then
/// rounded, so a float32 result is nibabel's float64 value rounded to the nearest float32.
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

    /// <summary>The element type of the scaled values.</summary>
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

        ElementType output = stored.Code switch
        {
            ElementCode.Float64 or ElementCode.Int32 or ElementCode.UInt32 or ElementCode.Int64 or ElementCode.UInt64 => ElementType.Float64,
            ElementCode.Complex64 => ElementType.Complex64,
            _ => ElementType.Float32,
        };
        return new NiftiScaling(slope, inter, output);
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
        if (Output == ElementType.Float64)
        {
            Span<double> scaled = MemoryMarshal.Cast<byte, double>(output);
            for (int i = 0; i < values.Length; i++)
            {
                scaled[i] = (double.CreateTruncating(values[i]) * Slope) + Inter;
            }
        }
        else
        {
            Span<float> scaled = MemoryMarshal.Cast<byte, float>(output);
            for (int i = 0; i < values.Length; i++)
            {
                scaled[i] = (float)((double.CreateTruncating(values[i]) * Slope) + Inter);
            }
        }
    }

    private void ScaleComplex(ReadOnlySpan<byte> raw, Span<byte> output)
    {
        ReadOnlySpan<float> parts = MemoryMarshal.Cast<byte, float>(raw);
        Span<float> scaled = MemoryMarshal.Cast<byte, float>(output);
        for (int i = 0; i < parts.Length; i += 2)
        {
            scaled[i] = (float)((parts[i] * Slope) + Inter);
            scaled[i + 1] = (float)(parts[i + 1] * Slope);
        }
    }
}
