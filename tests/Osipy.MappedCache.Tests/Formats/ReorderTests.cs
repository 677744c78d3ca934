using System.Buffers.Binary;
using Osipy.MappedCache.Cli.Formats;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>
/// The streaming Fortran/C reorder against a naive one, with memory budgets small enough to force
/// every path: one block, many blocks of whole planes, slabs of a plane, and pieces of a slab placed
/// one by one; the 3x70x70x5 shape needs several tiles per block.
/// </summary>
public sealed class ReorderTests
{
    public static TheoryData<long[], int> Cases()
    {
        var data = new TheoryData<long[], int>();
        long[][] shapes = [[3, 4, 5], [2, 3, 4, 5], [7, 1, 5], [1, 6, 1, 4, 1], [5], [4, 3], [2, 2, 2, 2, 2, 2, 3], [3, 70, 70, 5]];
        foreach (long[] shape in shapes)
        {
            foreach (int elements in new[] { 1, 3, 7, 12, 20, 60, 1000 })
            {
                data.Add(shape, elements * 4);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReadFortran_AnyBlockBudget_MatchesNaiveReorder(long[] shape, int blockBytes)
    {
        int count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var file = new byte[count * 4];
        for (int f = 0; f < count; f++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(f * 4), f);
        }

        var destination = new MemoryArrayDestination(new byte[count * 4]);
        var reader = new ElementBlockReader(new MemoryStream(file), "memory", ElementType.Int32, bigEndian: false, file.Length, scaling: null, progress: null);
        ArrayReading.Read(reader, destination, shape, fortranOrder: true, blockBytes);

        for (int c = 0; c < count; c++)
        {
            Assert.Equal(FortranIndexOfCIndex(shape, c), BinaryPrimitives.ReadInt32LittleEndian(destination.Bytes.AsSpan(c * 4)));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WriteFortran_AnyBlockBudget_MatchesNaiveReorder(long[] shape, int blockBytes)
    {
        int count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var array = new byte[count * 4];
        for (int c = 0; c < count; c++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(array.AsSpan(c * 4), c);
        }

        var output = new MemoryStream();
        var progress = new RecordingProgress();
        ArrayWriting.Write(new MemoryArraySource(array), output, shape, 4, fortranOrder: true, progress, blockBytes);

        byte[] file = output.ToArray();
        Assert.Equal(array.Length, file.Length);
        Assert.Equal(array.Length, progress.Reports[^1]);
        for (int c = 0; c < count; c++)
        {
            Assert.Equal(c, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(FortranIndexOfCIndex(shape, c) * 4)));
        }
    }

    [Fact]
    public void ReadBigEndianComplex_SwapsEachFloatHalfSeparately()
    {
        byte[] file = new byte[16];
        BinaryPrimitives.WriteSingleBigEndian(file, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(file.AsSpan(4), -2f);
        BinaryPrimitives.WriteSingleBigEndian(file.AsSpan(8), 3f);
        BinaryPrimitives.WriteSingleBigEndian(file.AsSpan(12), 4.25f);
        var destination = new MemoryArrayDestination(new byte[16]);
        var reader = new ElementBlockReader(new MemoryStream(file), "memory", ElementType.Complex64, bigEndian: true, 16, null, null);

        ArrayReading.Read(reader, destination, [2], fortranOrder: false);

        Assert.Equal([1.5f, -2f, 3f, 4.25f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(destination.Bytes).ToArray());
    }

    /// <summary>The Fortran-order offset of the element at C-order offset <paramref name="c"/>.</summary>
    private static int FortranIndexOfCIndex(long[] shape, int c)
    {
        long[] index = new long[shape.Length];
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = c % shape[axis];
            c /= (int)shape[axis];
        }

        long f = 0;
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            f = (f * shape[axis]) + index[axis];
        }

        return (int)f;
    }
}
