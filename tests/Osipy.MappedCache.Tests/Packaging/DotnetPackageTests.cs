using System.IO.Compression;
using System.Xml.Linq;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Packaging;

/// <summary>
/// The README's .NET install lines, run as they stand in a fresh clone: `dotnet pack -c Release -o
/// artifacts` in the repository's root makes the library, the remote tier and the osipy-cache tool
/// as NuGet packages; `dotnet add ~/myapp package … --source ./artifacts` gives a project outside
/// the solution the library, which then builds and runs; the tool installs under `~/.osipy` and
/// runs. The library inside is ReadyToRun-compiled.
/// </summary>
/// <remarks>
/// The clone has its own bin and obj, so the pack never touches the repository's while other
/// tests build there; restores see only the packages made in it (and the machine's package cache
/// for their dependencies): nothing comes from the network.
/// </remarks>
[Collection(PackagingCollection.Name)]
public sealed class DotnetPackageTests : IDisposable
{
    private readonly FreshClone _clone = new();

    public void Dispose() => _clone.Dispose();

    [Fact]
    public void ReadmeInstallLines_PackLibraryAndTool_ThatInstallAndRunOutsideTheSolution()
    {
        // The user's project, which the README's `dotnet add ~/myapp package` names: it knows nothing of the repository.
        string consumer = Path.Combine(_clone.Home, "myapp");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "myapp.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using Osipy.MappedCache;

            using var cache = new IntermediateCache(new CacheConfig { CacheDir = args[0], DefaultPolicy = RetentionPolicy.Persistent });
            float[] t1 = Enumerable.Range(0, 4096).Select(i => i * 0.5f).ToArray();
            cache.Put<float>("t1_map", "subject-01", t1, [64, 64]);
            using MappedArray<float> got = cache.Get<float>("t1_map", "subject-01")!;
            Console.WriteLine($"shape={string.Join('x', got.Shape)} last={got.ReadOnlySpan[^1]}");
            """);

        (int exit, string log) = _clone.Run(ReadmeInstall.Section(_clone.Root, ".NET"));
        Assert.True(exit == 0, log);

        string root = _clone.Root;
        string packages = Path.Combine(root, "artifacts");
        string version = Version(root);
        foreach (string id in new[] { "Osipy.MappedCache", "Osipy.MappedCache.Redis", "osipy-cache" })
        {
            Assert.True(File.Exists(Path.Combine(packages, $"{id}.{version}.nupkg")), $"{id} {version} was not packed: {log}");
            Assert.True(File.Exists(Path.Combine(packages, $"{id}.{version}.snupkg")), $"{id} has no symbols package");
        }

        XElement metadata = Nuspec(Path.Combine(packages, $"Osipy.MappedCache.{version}.nupkg"));
        Assert.Equal("MIT", Field(metadata, "license"));
        Assert.Equal("README.md", Field(metadata, "readme"));
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("commit"));
        Assert.Contains(ZipFile.OpenRead(Path.Combine(packages, $"Osipy.MappedCache.{version}.nupkg")).Entries, e => e.FullName == "lib/net10.0/Osipy.MappedCache.xml");

        // The library ships ReadyToRun code (a new process's first get runs it instead of the JIT's), its IL kept.
        using (ZipArchive library = ZipFile.OpenRead(Path.Combine(packages, $"Osipy.MappedCache.{version}.nupkg")))
        using (var image = new MemoryStream())
        {
            using (Stream dll = library.Entries.Single(e => e.FullName == "lib/net10.0/Osipy.MappedCache.dll").Open())
            {
                dll.CopyTo(image);
            }

            image.Position = 0;
            using var pe = new System.Reflection.PortableExecutable.PEReader(image);
            Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "the packed library is not ReadyToRun-compiled");
            Assert.True(pe.HasMetadata);
        }

        string cacheDir = Path.Combine(_clone.Home, "cache");
        (exit, log) = _clone.Run($"cd ~/myapp && dotnet run -c Release -- '{cacheDir}'");
        Assert.True(exit == 0, log);
        Assert.Contains("shape=64x64 last=2047.5", log);

        // The tool, where the README installed it, reads that directory.
        (exit, log) = _clone.Run($"~/.osipy/osipy-cache gc --cache-dir '{cacheDir}'");
        Assert.True(exit == 0, log);
    }

    /// <summary>The one version of every package, from Directory.Build.props.</summary>
    private static string Version(string root) =>
        XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    private static XElement Nuspec(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        using Stream nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Field(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
}
