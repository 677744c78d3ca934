using System.Text.RegularExpressions;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Structure;

/// <summary>
/// The house rule anyone can run: unsafe code, pointers and raw addresses live only in Mapping/,
/// Interop/, the codec's SIMD kernel and the native exports. Everything above them is safe C#.
/// </summary>
public sealed partial class PointerConfinementTests
{
    private static readonly string[] AllowedPlaces =
    [
        "src/Osipy.MappedCache/Mapping/",
        "src/Osipy.MappedCache/Interop/",
        "src/Osipy.MappedCache/Compression/ByteShuffle.Vector128.cs",
        "src/Osipy.MappedCache.Native/",
    ];

    [Fact]
    public void NoFileOutsideTheAllowedPlaces_UsesUnsafePointersOrAddresses()
    {
        string root = NativeLibraryFixture.FindRepositoryRoot();
        var offences = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
                || AllowedPlaces.Any(place => relative.StartsWith(place, StringComparison.Ordinal)))
            {
                continue;
            }

            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = StripComment(lines[i]);
                if (Forbidden().Match(code) is { Success: true } match)
                {
                    offences.Add($"{relative}:{i + 1}: '{match.Value.Trim()}' in: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(offences.Count == 0, "Pointers outside Mapping/, Interop/, the SIMD kernel and the native exports:" + Environment.NewLine + string.Join(Environment.NewLine, offences));
    }

    [Theory]
    [InlineData("internal static unsafe class X")]
    [InlineData("public nint Address;")]
    [InlineData("byte* p = null;")]
    [InlineData("fixed (float* f = data)")]
    [InlineData("IntPtr handle = default;")]
    public void TheCheck_CatchesEachKindOfOffence(string line) => Assert.Matches(Forbidden(), StripComment(line));

    [Theory]
    [InlineData("// the unsafe part lives in Mapping/")]
    [InlineData("/// <summary>no nint here</summary>")]
    [InlineData("long bytes = count * size;")]
    [InlineData("int elements = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();")]
    public void TheCheck_IgnoresCommentsAndArithmetic(string line) => Assert.DoesNotMatch(Forbidden(), StripComment(line));

    private static string StripComment(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return comment < 0 ? line : line[..comment];
    }

    [GeneratedRegex(@"\bunsafe\b|\bn(u)?int\b|\bU?IntPtr\b|\bfixed\s*\(|\b(byte|sbyte|short|ushort|int|uint|long|ulong|float|double|char|void|T)\*|\bstackalloc\b.*\*")]
    private static partial Regex Forbidden();
}
