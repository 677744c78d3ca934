using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Native;

/// <summary>
/// A C process forks while three of its threads put, get and get_or_create (Native/c/fork_while_busy.c):
/// every child opens its own cache and works. Before the library quiesced its calls around fork,
/// 4 to 12 of 100 such children hung in their first call. Python's side: python/tests/test_fork_safety.py.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class ForkSafetyTests(NativeLibraryFixture native) : IDisposable
{
    private const int Forks = 100;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Fork_WhileThreeThreadsCallTheLibrary_EveryChildWorks()
    {
        string program = native.CompileC(
            Path.Combine(native.RepositoryRoot, "tests", "Osipy.MappedCache.Tests", "Native", "c", "fork_while_busy.c"), _dir.Root);

        (int exit, string output) = NativeLibraryFixture.Run(program, _dir.Root, _dir.CachePath, Forks.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, output);
        Assert.Equal($"forks={Forks} ok={Forks} hung=0 crashed=0 failed=0", output.Trim());
    }
}
