using System.Numerics;

namespace Osipy.MappedCache.Cli.Analysis;

/// <summary>
/// Minimum, maximum, mean and NaN count of an array, read straight from its mapping in pieces (no
/// copy, whatever its size). Complex values are summarised by their magnitudes; booleans as 0 and 1.
/// NaNs are counted and left out of the other figures.
/// </summary>
internal sealed record ValueSummary(long Count, long NaNCount, double? Min, double? Max, double? Mean, string Of)
{
    private const int Piece = 1 << 20;

    public static ValueSummary Summarise(MappedArray array) => array switch
    {
        MappedArray<float> a => Summarise(a, v => v, "values"),
        MappedArray<double> a => Summarise(a, v => v, "values"),
        MappedArray<Half> a => Summarise(a, v => (double)v, "values"),
        MappedArray<sbyte> a => Summarise(a, v => v, "values"),
        MappedArray<byte> a => Summarise(a, v => v, "values"),
        MappedArray<short> a => Summarise(a, v => v, "values"),
        MappedArray<ushort> a => Summarise(a, v => v, "values"),
        MappedArray<int> a => Summarise(a, v => v, "values"),
        MappedArray<uint> a => Summarise(a, v => v, "values"),
        MappedArray<long> a => Summarise(a, v => v, "values"),
        MappedArray<ulong> a => Summarise(a, v => v, "values"),
        MappedArray<bool> a => Summarise(a, v => v ? 1 : 0, "values (false = 0, true = 1)"),
        MappedArray<Complex64> a => Summarise(a, v => v.Magnitude, "magnitudes"),
        MappedArray<Complex> a => Summarise(a, v => v.Magnitude, "magnitudes"),
        _ => throw new NotSupportedException($"No summary for {array.ElementType}."),
    };

    private static ValueSummary Summarise<T>(MappedArray<T> array, Func<T, double> value, string of)
        where T : unmanaged
    {
        long nan = 0, counted = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        for (long start = 0; start < array.Length; start += Piece)
        {
            ReadOnlySpan<T> piece = array.GetSpan(start, (int)Math.Min(Piece, array.Length - start));
            foreach (T item in piece)
            {
                double v = value(item);
                if (double.IsNaN(v))
                {
                    nan++;
                    continue;
                }

                counted++;
                sum += v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        return counted == 0
            ? new ValueSummary(array.Length, nan, null, null, null, of)
            : new ValueSummary(array.Length, nan, min, max, sum / counted, of);
    }
}
