using System.Buffers.Binary;
using System.Text;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// <c>osipy-cache import</c> trusts nothing a file says: what a header holds is printed safely, and
/// what it claims is checked against the data before anything is reserved for it.
/// </summary>
public sealed class ImportUntrustedFileTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Work(string name) => Path.Combine(_dir.Root, name);

    [Fact]
    public void Import_OfAnNpyWhoseDescrHoldsANul_PrintsItEscaped_NeverRawControlCharacters()
    {
        byte[] text = Encoding.Latin1.GetBytes("{'descr': '<f4\0\u001b[2J', 'fortran_order': False, 'shape': (2,), }".PadRight(117) + "\n");
        byte[] file = new byte[10 + text.Length + 8];
        Encoding.Latin1.GetBytes("\u0093NUMPY\u0001\u0000").CopyTo(file, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)text.Length);
        text.CopyTo(file, 10);
        File.WriteAllBytes(Work("nul.npy"), file);

        (int exit, string output, string error) = OsipyCacheTool.Run("import", Work("nul.npy"), "--type", "t", "--key", "k", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains(@"the dtype '<f4\0\x1b[2J' is not supported", error, StringComparison.Ordinal);
        Assert.DoesNotContain(error.TrimEnd('\n'), char.IsControl);
    }
}
