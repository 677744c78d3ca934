using BenchmarkDotNet.Running;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, for example
/// <c>dotnet run -c Release --project benchmarks/Osipy.MappedCache.Benchmarks -- --filter '*' --job short</c>.
/// </summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
