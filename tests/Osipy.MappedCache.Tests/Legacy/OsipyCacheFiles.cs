using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.Tests.Formats;

namespace Osipy.MappedCache.Tests.Legacy;

/// <summary>
/// Writes cache files exactly as osipy's own cache does (osipy/common/caching.py: <c>_put_disk</c>
/// and <c>_get_cache_path</c>, in python/tests/osipy_cache_writer.py), with Debian's python3 and numpy.
/// </summary>
internal static class OsipyCacheFiles
{
    /// <summary>
    /// osipy's save logic, shared with the Python tests (python/tests/osipy_cache_writer.py), as
    /// <c>put(result_type, key, data, ...)</c> into <c>cache_dir</c>; <c>put(...)</c> calls follow it.
    /// </summary>
    private static readonly string Prelude =
        $$"""
        import sys, json, hashlib, time
        from pathlib import Path
        import numpy as np

        sys.path.insert(0, {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(NativeLibraryFixture.FindRepositoryRoot(), "python", "tests"))}})
        from osipy_cache_writer import osipy_put

        cache_dir = Path(sys.argv[1])

        def put(*args, **kwargs):
            return osipy_put(cache_dir, *args, **kwargs)

        """;

    /// <summary>Runs <paramref name="calls"/> (Python, after the prelude) with the directory osipy writes to.</summary>
    public static string Write(string legacyDir, string calls)
    {
        Directory.CreateDirectory(legacyDir);
        return FormatsPython.Numpy(Prelude + calls, legacyDir);
    }

    /// <summary>osipy's path for a key: md5 of "type:key", computed here independently of the library.</summary>
    public static string PathOf(string legacyDir, string resultType, string key) =>
        Path.Combine(legacyDir, Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{resultType}:{key}"))) + ".npz");
}
