using Osipy.MappedCache.Compression;

namespace Osipy.MappedCache.Tests.Compression;

/// <summary>
/// The shuffle puts element i's byte j at plane j, position i, whatever path computes it (vector
/// kernels for 2, 4 and 8 bytes, 16 elements at a time, and the scalar loop for the rest).
/// </summary>
public sealed class ByteShuffleTests
{
    public static TheoryData<int, int> SizesAndCounts()
    {
        var data = new TheoryData<int, int>();
        foreach (int itemSize in new[] { 1, 2, 3, 4, 8, 16 })
        {
            // Around the 16-element vector step, and a full 1 MiB chunk of float32 with a tail.
            foreach (int count in new[] { 0, 1, 15, 16, 17, 31, 32, 33, 1000, 4099, 1 << 20, (1 << 18) + 7 })
            {
                data.Add(itemSize, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAndCounts))]
    public void Shuffle_MatchesReferenceLoop(int itemSize, int count)
    {
        byte[] source = RandomBytes(itemSize * count, seed: (itemSize * 1000) + count);
        var actual = new byte[source.Length];

        ByteShuffle.Shuffle(source, actual, itemSize);

        Assert.Equal(ReferenceShuffle(source, itemSize), actual);
    }

    [Theory]
    [MemberData(nameof(SizesAndCounts))]
    public void Unshuffle_OfShuffle_GivesBackSource(int itemSize, int count)
    {
        byte[] source = RandomBytes(itemSize * count, seed: (itemSize * 1000) + count + 1);
        var shuffled = new byte[source.Length];
        var restored = new byte[source.Length];

        ByteShuffle.Shuffle(source, shuffled, itemSize);
        ByteShuffle.Unshuffle(shuffled, restored, itemSize);

        Assert.Equal(source, restored);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Shuffle_OfSlicesAtOddOffsets_MatchesReferenceLoop(int itemSize)
    {
        // The vector kernels load and store unaligned: spans that start mid-array must work too.
        byte[] buffer = RandomBytes((itemSize * 100) + 3, seed: itemSize);
        ReadOnlySpan<byte> source = buffer.AsSpan(3, itemSize * 100);
        var destination = new byte[source.Length + 1];

        ByteShuffle.Shuffle(source, destination.AsSpan(1), itemSize);

        Assert.Equal(ReferenceShuffle(source.ToArray(), itemSize), destination[1..]);
    }

    [Fact]
    public void Shuffle_OfPartialElement_Throws()
    {
        var source = new byte[10];
        var destination = new byte[10];

        Assert.Throws<ArgumentException>(() => ByteShuffle.Shuffle(source, destination, 4));
        Assert.Throws<ArgumentException>(() => ByteShuffle.Unshuffle(source, destination.AsSpan(0, 8), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteShuffle.Shuffle(source, destination, 0));
    }

    private static byte[] ReferenceShuffle(byte[] source, int itemSize)
    {
        int count = source.Length / itemSize;
        var planes = new byte[source.Length];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < itemSize; j++)
            {
                planes[(j * count) + i] = source[(i * itemSize) + j];
            }
        }

        return planes;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
