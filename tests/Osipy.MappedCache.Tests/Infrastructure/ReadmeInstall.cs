namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// The README's Install block, one section at a time: the lines a user pastes into a shell, which
/// the packaging tests run as they stand, so that the README and the tests cannot drift apart.
/// </summary>
/// <remarks>
/// The block is the first <c>```sh</c> block after <c>## Install</c>; its sections are separated
/// by blank lines and open with a comment naming them (<c># .NET: …</c>, <c># Python: …</c>, <c># C: …</c>).
/// </remarks>
public static class ReadmeInstall
{
    /// <summary>The lines of the section whose opening comment is <c># {name}:</c>, comments included.</summary>
    public static string Section(string repositoryRoot, string name)
    {
        string[] readme = File.ReadAllLines(Path.Combine(repositoryRoot, "README.md"));
        int install = Array.IndexOf(readme, "## Install");
        Assert.True(install >= 0, "README.md has no '## Install' section");
        int open = Array.IndexOf(readme, "```sh", install);
        int close = Array.IndexOf(readme, "```", open + 1);
        Assert.True(open > install && close > open, "README.md's Install section has no ```sh block");

        var sections = new List<List<string>> { new() };
        foreach (string line in readme[(open + 1)..close])
        {
            if (line.Trim().Length == 0)
            {
                sections.Add([]);
            }
            else
            {
                sections[^1].Add(line);
            }
        }

        List<string> section = Assert.Single(sections, s => s.Count > 0 && s[0].StartsWith($"# {name}:", StringComparison.Ordinal));
        return string.Join('\n', section) + "\n";
    }
}
