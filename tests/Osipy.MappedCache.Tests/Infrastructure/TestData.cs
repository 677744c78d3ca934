namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>Deterministic arrays whose every element can be checked.</summary>
public static class TestData
{
    public static float[] Ramp(int length, float offset = 0)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = offset + i * 0.5f;
        }

        return data;
    }

    public static float[,,,] Dce(int x, int y, int z, int t)
    {
        var data = new float[x, y, z, t];
        for (int i = 0; i < x; i++)
        {
            for (int j = 0; j < y; j++)
            {
                for (int k = 0; k < z; k++)
                {
                    for (int n = 0; n < t; n++)
                    {
                        data[i, j, k, n] = (((i * y + j) * z + k) * t) + n;
                    }
                }
            }
        }

        return data;
    }
}
