using Osipy.MappedCache.Tests.Formats;

namespace Osipy.MappedCache.Tests.Legacy;

/// <summary>
/// Writes cache files exactly as osipy's own cache does (osipy/common/caching.py: <c>_put_disk</c>
/// and <c>_get_cache_path</c>, copied below), with Debian's python3 and numpy.
/// </summary>
internal static class OsipyCacheFiles
{
    /// <summary>osipy's save logic, verbatim but for the function around it; <c>put(...)</c> calls follow it.</summary>
    private const string Prelude =
        """
        import sys, json, hashlib, time
        from pathlib import Path
        import numpy as np

        cache_dir = Path(sys.argv[1])

        def put(result_type, key, data, metadata=None, compression=True, created_at=None):
            full_key = f"{result_type}:{key}"
            cache_file = cache_dir / f"{hashlib.md5(full_key.encode()).hexdigest()}.npz"
            metadata = metadata or {}
            created_at = time.time() if created_at is None else created_at
            if isinstance(data, np.ndarray):
                if compression:
                    np.savez_compressed(cache_file, data=data, metadata=json.dumps(metadata),
                                        result_type=result_type, created_at=created_at)
                else:
                    np.savez(cache_file, data=data, metadata=json.dumps(metadata),
                             result_type=result_type, created_at=created_at)
            elif isinstance(data, dict):
                np.savez_compressed(cache_file, **{f"data_{k}": v for k, v in data.items()},
                                    metadata=json.dumps(metadata), result_type=result_type,
                                    created_at=created_at)
            return cache_file

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
