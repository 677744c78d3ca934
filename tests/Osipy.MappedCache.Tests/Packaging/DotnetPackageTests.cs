using System.IO.Compression;
using System.Xml.Linq;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Packaging;

/// <summary>
/// The README's `dotnet pack -c Release -o artifacts` makes the library, the remote tier and the
/// osipy-cache tool as NuGet packages, and a project outside the solution that knows only those
/// packages restores, builds and runs against them; the tool installs from them and runs. The
/// library inside is ReadyToRun-compiled.
/// </summary>
/// <remarks>
/// The pack builds into its own artifacts path, so it never touches the repository's bin and obj
/// while other tests build there. Restores see only the packages made here (and the machine's
/// package cache for their dependencies): nothing comes from the network.
/// </remarks>
public sealed class DotnetPackageTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("osipy-mc-pack-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void PackedLibraryAndTool_InstallAndRunOutsideTheSolution()
    {
        string root = NativeLibraryFixture.FindRepositoryRoot();
        string dotnet = NativeLibraryFixture.DotnetHost();
        string packages = Path.Combine(_work.FullName, "artifacts");
        (int exit, string log) = NativeLibraryFixture.Run(dotnet, root, "pack", "Osipy.MappedCache.sln", "-c", "Release", "-o", packages, "--artifacts-path", Path.Combine(_work.FullName, "build"));
        Assert.True(exit == 0, log);

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

        // A consumer that knows nothing of the repository: only the packages folder as a source.
        string consumer = Path.Combine(_work.FullName, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="artifacts" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Osipy.MappedCache" Version="{version}" />
              </ItemGroup>
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
        string cacheDir = Path.Combine(_work.FullName, "cache");
        (exit, log) = NativeLibraryFixture.Run(dotnet, consumer, "run", "-c", "Release", "--", cacheDir);
        Assert.True(exit == 0, log);
        Assert.Contains("shape=64x64 last=2047.5", log);

        // The tool, installed the way `dotnet tool install` installs any tool, reads that directory.
        string tools = Path.Combine(_work.FullName, "tools");
        (exit, log) = NativeLibraryFixture.Run(dotnet, consumer, "tool", "install", "--tool-path", tools, "--configfile", Path.Combine(consumer, "nuget.config"), "--version", version, "osipy-cache");
        Assert.True(exit == 0, log);
        (exit, log) = NativeLibraryFixture.Run(Path.Combine(tools, "osipy-cache"), consumer, "gc", "--cache-dir", cacheDir);
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
