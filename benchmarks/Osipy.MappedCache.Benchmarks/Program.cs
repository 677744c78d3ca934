using System.Globalization;
using BenchmarkDotNet.Running;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, for example
/// <c>dotnet run -c Release --project benchmarks/Osipy.MappedCache.Benchmarks -- --filter '*' --job short</c>.
/// </summary>
/// <remarks>
/// <c>-- export-dce PATH [XxYxZxT]</c> instead writes the compression benchmarks' DCE series to a
/// <c>.npy</c> file (replacing one that is there), for benchmarks/peers/compression_vs_blosc.py to
/// compress the same bytes.
/// </remarks>
internal static class Program
{
    private static void Main(string[] args)
    {
        if (args is ["export-dce", string path, .. string[] rest])
        {
            var dce = new DceArray(DceArray.ParseSize(rest.Length > 0 ? rest[0] : "128x128x32x60"));
            dce.WriteNpy(path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {dce.Size} float32, {dce.Bytes.Length} bytes, sha256 {dce.Sha256}"));
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
