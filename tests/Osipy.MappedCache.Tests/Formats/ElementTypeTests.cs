using System.Numerics;
using Osipy.MappedCache.Cli.Formats;

namespace Osipy.MappedCache.Tests.Formats;

public sealed class ElementTypeTests
{
    [Fact]
    public void All_HaveNumpysItemSizesAndSameSizedClrTypes()
    {
        var expected = new Dictionary<string, (int Size, Type? Clr)>
        {
            ["|b1"] = (1, typeof(bool)), ["|i1"] = (1, typeof(sbyte)), ["|u1"] = (1, typeof(byte)),
            ["<i2"] = (2, typeof(short)), ["<u2"] = (2, typeof(ushort)), ["<i4"] = (4, typeof(int)), ["<u4"] = (4, typeof(uint)),
            ["<i8"] = (8, typeof(long)), ["<u8"] = (8, typeof(ulong)), ["<f2"] = (2, typeof(Half)), ["<f4"] = (4, typeof(float)),
            ["<f8"] = (8, typeof(double)), ["<c8"] = (8, null),
        };

        Assert.Equal(expected.Keys.Order(), ElementType.All.Select(t => t.Descr).Order());
        foreach (ElementType type in ElementType.All)
        {
            Assert.Equal(expected[type.Descr], (type.ItemSize, type.ClrType));
            if (type.ClrType is { } clr)
            {
                Assert.Equal(type.ItemSize, System.Runtime.InteropServices.Marshal.SizeOf(clr == typeof(bool) ? typeof(byte) : clr));
            }
        }
    }

    [Fact]
    public void Complex64_IsNotSystemNumericsComplex_WhichIsSixteenBytes()
    {
        Assert.Null(ElementType.Complex64.ClrType);
        Assert.Equal(8, ElementType.Complex64.ItemSize);
        Assert.Equal(4, ElementType.Complex64.SwapUnit);
        Assert.Equal(16, System.Runtime.CompilerServices.Unsafe.SizeOf<Complex>());
    }

    [Theory]
    [InlineData(">i2", "<i2")]
    [InlineData(">u8", "<u8")]
    [InlineData(">f2", "<f2")]
    [InlineData(">c8", "<c8")]
    [InlineData(">f8", "<f8")]
    public void TryParseDescr_BigEndianForm_ReportsTheLittleEndianDescrAndASwap(string stored, string reported)
    {
        Assert.True(ElementType.TryParseDescr(stored, out ElementType? type, out bool bigEndian));
        Assert.Equal(reported, type.Descr);
        Assert.True(bigEndian);
    }

    [Theory]
    [InlineData("|b1")]
    [InlineData("<i1")]
    [InlineData(">u1")]
    public void TryParseDescr_OneByteTypes_NeverNeedASwap(string descr)
    {
        Assert.True(ElementType.TryParseDescr(descr, out _, out bool bigEndian));
        Assert.False(bigEndian);
    }

    [Theory]
    [InlineData("|i2")]
    [InlineData("<c16")]
    [InlineData("<U4")]
    [InlineData("O")]
    [InlineData("<f4 ")]
    [InlineData("f4")]
    public void TryParseDescr_UnsupportedOrMalformed_ReturnsFalse(string descr) =>
        Assert.False(ElementType.TryParseDescr(descr, out _, out _));

    [Fact]
    public void FromDescr_BigEndian_ThrowsBecauseWritersTakeLittleEndianArrays() =>
        Assert.Throws<ArgumentException>(() => ElementType.FromDescr(">f4"));
}
