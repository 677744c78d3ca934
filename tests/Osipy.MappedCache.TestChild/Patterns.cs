namespace Osipy.MappedCache.TestChild;

/// <summary>Arrays whose every element can be checked: element i of stamp s is s + i * 2^-10.</summary>
public static class Patterns
{
    public static void Fill(Span<float> data, float stamp)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = stamp + ((i % 1024) / 1024f);
        }
    }

    /// <summary>True when <paramref name="data"/> is one whole array written by <see cref="Fill"/>.</summary>
    public static bool IsWhole(ReadOnlySpan<float> data)
    {
        if (data.IsEmpty)
        {
            return true;
        }

        float stamp = data[0];
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] != stamp + ((i % 1024) / 1024f))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The sum of every element, read row by row through the mapping (each page touched once).</summary>
    public static double SumRows(MappedArray<float> array)
    {
        double sum = 0;
        for (long row = 0; row < array.RowCount; row++)
        {
            foreach (float value in array.GetRowSpan(row))
            {
                sum += value;
            }
        }

        return sum;
    }
}
