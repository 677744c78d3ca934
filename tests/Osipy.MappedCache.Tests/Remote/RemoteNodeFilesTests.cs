using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>The processes of one directory are one node: however many open a new directory at once, they read one node name.</summary>
public sealed class RemoteNodeFilesTests
{
    [Fact]
    public void ManyOpeningANewDirectoryAtOnce_AllReadTheSameNodeName()
    {
        for (int round = 0; round < 40; round++)
        {
            using var dir = new TempCacheDirectory();
            Directory.CreateDirectory(dir.CachePath);
            var names = new string[8];
            Parallel.For(0, names.Length, i => names[i] = new RemoteNodeFiles(dir.CachePath).NodeId);
            Assert.Single(names.Distinct());
        }
    }

    [Fact]
    public void ADamagedNodeName_IsReplacedWhole()
    {
        using var dir = new TempCacheDirectory();
        Directory.CreateDirectory(Path.Combine(dir.CachePath, "remote"));
        File.WriteAllText(Path.Combine(dir.CachePath, "remote", "node-id"), "not a name");
        string name = new RemoteNodeFiles(dir.CachePath).NodeId;
        Assert.Matches("^[0-9a-f]{32}$", name);
        Assert.Equal(name, new RemoteNodeFiles(dir.CachePath).NodeId);
    }
}
