using System.Text.RegularExpressions;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Structure;

/// <summary>
/// The rooms of src/Osipy.MappedCache and which others each may use (docs/DESIGN.md, "Rooms"):
/// calls go one way, facade → Caching → Sessions → Files → Format, Compression, Mapping →
/// Interop (and Caching → Legacy → Files, Format; Provenance, the pure key encoder, uses none), so no two rooms depend on each other, and the on-disk format does no I/O.
/// </summary>
public sealed partial class RoomDependencyTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Format"] = [],
        ["Compression"] = ["Mapping"],
        ["Mapping"] = ["Interop", "Diagnostics"],
        ["Files"] = ["Format", "Compression", "Mapping", "Interop"],
        ["Sessions"] = ["Files", "Format", "Interop"],
        ["Interop"] = [],
        ["Diagnostics"] = [],
        ["Legacy"] = ["Files", "Format"],
        ["Provenance"] = [],
    };

    public static TheoryData<string> Rooms => [.. Allowed.Keys];

    [Theory]
    [MemberData(nameof(Rooms))]
    public void ARoom_UsesOnlyTheRoomsBelowIt(string room)
    {
        var offences = new List<string>();
        foreach ((string file, int line, string code) in Code(room))
        {
            foreach (Match match in RoomReference().Matches(code))
            {
                string used = match.Groups["room"].Value;
                if (used != room && !Allowed[room].Contains(used))
                {
                    offences.Add($"{file}:{line}: uses {used}: {code.Trim()}");
                }
            }
        }

        Assert.True(offences.Count == 0, $"{room}/ may use only {string.Join(", ", Allowed[room])}:{Environment.NewLine}{string.Join(Environment.NewLine, offences)}");
    }

    [Fact]
    public void Format_DoesNoIo()
    {
        string[] offences = [.. Code("Format").Where(c => FileOperation().IsMatch(c.Code)).Select(c => $"{c.File}:{c.Line}: {c.Code.Trim()}")];

        Assert.True(offences.Length == 0, "Format/ is pure (bytes in, records out); file work belongs in Files/:" + Environment.NewLine + string.Join(Environment.NewLine, offences));
    }

    [Theory]
    [InlineData("using Osipy.MappedCache.Caching;", "Caching")]
    [InlineData("var s = new Sessions.SessionFile();", "Sessions")]
    [InlineData("Osipy.MappedCache.Files.SegmentStore store;", "Files")]
    public void TheCheck_FindsEachFormOfReference(string line, string room) =>
        Assert.Equal(room, RoomReference().Match(line).Groups["room"].Value);

    private static IEnumerable<(string File, int Line, string Code)> Code(string room)
    {
        string root = NativeLibraryFixture.FindRepositoryRoot();
        string directory = Path.Combine(root, "src", "Osipy.MappedCache", room);
        foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                int comment = lines[i].IndexOf("//", StringComparison.Ordinal);
                yield return (Path.GetRelativePath(root, file), i + 1, comment < 0 ? lines[i] : lines[i][..comment]);
            }
        }
    }

    [GeneratedRegex(@"(?:using\s+Osipy\.MappedCache\.|Osipy\.MappedCache\.|(?<![\w.]))(?<room>Format|Files|Compression|Mapping|Sessions|Caching|Interop|Diagnostics|Legacy|Provenance)(?:;|\.[A-Z])")]
    private static partial Regex RoomReference();

    [GeneratedRegex(@"\b(File|Directory|RandomAccess|FileStream|Libc)\.|SafeFileHandle")]
    private static partial Regex FileOperation();
}
