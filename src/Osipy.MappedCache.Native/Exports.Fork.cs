using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

internal static unsafe partial class Exports
{
    // Not a gated call itself: it is the fork's own first step (ForkGate.PrepareAhead).
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_prepare_fork")]
    public static int PrepareFork()
    {
        try
        {
            ForkGate.PrepareAhead();
            return (int)NativeStatus.Ok;
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }
}
