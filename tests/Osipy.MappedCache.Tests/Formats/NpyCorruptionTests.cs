using System.Buffers.Binary;
using System.Text;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>Every byte of an .npy is untrusted: a damaged file fails with a message naming the file and the problem.</summary>
public sealed class NpyCorruptionTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_TruncatedData_ThrowsBeforeReadingAnything()
    {
        string path = WriteValid(out byte[] file);
        File.WriteAllBytes(path, file[..^5]);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NpyFile.Open(path));
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("needs 96 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "NPY magic and version")]
    [InlineData(9, "NPY header length")]
    [InlineData(40, "truncated")]
    public void Open_TruncatedHeader_ThrowsNamingWhatIsMissing(int keep, string problem)
    {
        string path = WriteValid(out byte[] file);
        File.WriteAllBytes(path, file[..keep]);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NpyFile.Open(path));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyFile_Throws() => AssertRejected([], "NPY magic");

    [Fact]
    public void Open_NotNpy_ThrowsSayingSo() => AssertRejected(Encoding.ASCII.GetBytes("PK\x03\x04 this is a zip archive"), "not an NPY file");

    [Fact]
    public void Open_UnknownVersion_Throws()
    {
        byte[] file = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
        file[6] = 4;
        AssertRejected(file, "version 4.0 is not supported");
    }

    [Fact]
    public void Open_HeaderLengthOverTheLimit_ThrowsWithoutAllocatingIt()
    {
        byte[] file = new byte[64];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 }.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), 0xFFFF_FFF0);
        AssertRejected(file, "over the 1048576-byte limit");
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "lacks")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "appears twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "negative dimension")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "trailing comma")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "'fortran_order' is not True or False")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured dtypes")]
    [InlineData("{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }", "dtype '<U4' is not supported")]
    [InlineData("{'descr': 'O', 'fortran_order': False, 'shape': (2,), }", "dtype 'O' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }", "overflows")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "something after the dict")]
    [InlineData("__import__('os').system('true')", "not a dict")]
    [InlineData("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,), }", "'descr' is not a string")]
    public void Open_MalformedHeaderDict_ThrowsNamingTheProblem(string dict, string problem) => AssertRejected(Npy(dict, 8), problem);

    [Fact]
    public void Open_DictWithNumpysOddButValidSpellings_IsAccepted()
    {
        string path = Path.Combine(_dir.Root, "odd.npy");
        File.WriteAllBytes(path, Npy("{\"shape\" : ( 2 , 3 ) ,\"fortran_order\":True,'descr':'>i2'}", 12));

        using NpyReader reader = NpyFile.Open(path);
        Assert.Equal([2L, 3L], reader.Shape);
        Assert.True(reader.FortranOrder);
        Assert.Equal(ElementType.Int16, reader.ElementType);
    }

    [Fact]
    public void ReadInto_DestinationOfTheWrongSize_ThrowsArgumentException()
    {
        string path = WriteValid(out _);
        using NpyReader reader = NpyFile.Open(path);
        Assert.Throws<ArgumentException>(() => reader.ReadInto(new MemoryArrayDestination(new byte[reader.ByteLength - 1])));
    }

    private string WriteValid(out byte[] file)
    {
        string path = Path.Combine(_dir.Root, "valid.npy");
        NpyFile.Write(path, new MemoryArraySource(new byte[96]), ElementType.Float32, [4, 6]);
        file = File.ReadAllBytes(path);
        return path;
    }

    private void AssertRejected(byte[] file, string problem)
    {
        string path = Path.Combine(_dir.Root, "bad.npy");
        File.WriteAllBytes(path, file);
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NpyFile.Open(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A version 1.0 file with <paramref name="dict"/> as its header and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private static byte[] Npy(string dict, int dataBytes)
    {
        byte[] text = Encoding.Latin1.GetBytes(dict.PadRight(118) + "\n");
        byte[] file = new byte[10 + text.Length + dataBytes];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)text.Length);
        text.CopyTo(file, 10);
        return file;
    }
}
