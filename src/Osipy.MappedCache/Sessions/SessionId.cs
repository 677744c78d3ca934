namespace Osipy.MappedCache.Sessions;

/// <summary>
/// Names one session (one <see cref="IntermediateCache"/> instance). Stored in every segment the
/// session writes, so its CACHED segments can be told from others'. Hex and '-' only, because it
/// is also part of temporary file names.
/// </summary>
internal static class SessionId
{
    /// <summary>A new id: the process id and 62 random bits, fresh from the kernel at each call (so a forked child never repeats its parent's).</summary>
    public static string New()
    {
        // Guid.NewGuid reads the kernel's random source (getrandom) itself. RandomNumberGenerator
        // goes through OpenSSL, whose loading and start-up cost a new process about 1 ms before
        // its first get (docs/PERFORMANCE.md, issue 22). Bytes 8 to 15 of a version-4 GUID are
        // random but for the two variant bits.
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        return $"{Environment.ProcessId}-{Convert.ToHexStringLower(bytes[8..])}";
    }
}
