using System.Security.Cryptography;

namespace Osipy.MappedCache.Sessions;

/// <summary>
/// Names one session (one <see cref="IntermediateCache"/> instance). Stored in every segment the
/// session writes, so its CACHED segments can be told from others'. Hex and '-' only, because it
/// is also part of temporary file names.
/// </summary>
internal static class SessionId
{
    public static string New() => $"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
}
