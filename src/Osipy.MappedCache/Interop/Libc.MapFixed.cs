namespace Osipy.MappedCache.Interop;

internal static partial class Libc
{
    /// <summary>mmap flag: place the mapping exactly at the address given, replacing what is there in one step.</summary>
    internal const int MAP_FIXED = 0x10;
}
