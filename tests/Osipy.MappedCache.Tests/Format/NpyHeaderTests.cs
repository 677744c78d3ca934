using System.Text;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Tests.Format;

public sealed class NpyHeaderTests
{
    [Theory]
    [InlineData(new long[] { 128, 128, 32, 60 }, "(128, 128, 32, 60)")]
    [InlineData(new long[] { 5 }, "(5,)")]
    [InlineData(new long[0], "()")]
    public void FormatDictionary_MatchesNumpyRepr(long[] shape, string tuple)
    {
        Assert.Equal($"{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}", NpyHeader.FormatDictionary(DType.Float32, shape));
    }

    [Fact]
    public void Write_ProducesPageLongHeaderEndingInNewline_ThatParsesBack()
    {
        var header = new byte[NpyHeader.Size];
        NpyHeader.Write(header, DType.Int16, [3, 4]);

        Assert.Equal((byte)'\n', header[^1]);
        Assert.Null(NpyHeader.TryParse(header, out DType dtype, out long[] shape, out int length));
        Assert.Equal(DType.Int16, dtype);
        Assert.Equal([3, 4], shape);
        Assert.Equal(4096, length);
        Assert.Equal(0, length % 64);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'descr': 'O', 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}")]
    [InlineData("__import__('os').system('true')")]
    public void TryParse_RejectsWhatNumpyWouldNotWrite(string dict)
    {
        byte[] header = Build(dict);

        Assert.NotNull(NpyHeader.TryParse(header, out _, out _, out _));
    }

    [Fact]
    public void TryParse_AcceptsNumpyStyleKeyOrderAndSpacing()
    {
        byte[] header = Build("{'shape': (2, 3), 'fortran_order': False, 'descr': '<u2'}");

        Assert.Null(NpyHeader.TryParse(header, out DType dtype, out long[] shape, out _));
        Assert.Equal(DType.UInt16, dtype);
        Assert.Equal([2, 3], shape);
    }

    private static byte[] Build(string dict)
    {
        string padded = dict.PadRight(118) + "\n";
        byte[] header = new byte[10 + padded.Length];
        NpyHeader.Magic.CopyTo(header);
        header[6] = 1;
        header[8] = (byte)(padded.Length & 0xFF);
        header[9] = (byte)(padded.Length >> 8);
        Encoding.ASCII.GetBytes(padded).CopyTo(header, 10);
        return header;
    }
}
