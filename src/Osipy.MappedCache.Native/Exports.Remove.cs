using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_invalidate")]
    public static int Invalidate(nint cache, byte* resultType, byte* key)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            Handles.Get<IntermediateCache>(cache, "cache").Invalidate(NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_invalidate_tag")]
    public static int InvalidateTag(nint cache, byte* tag, int* outRemoved)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outRemoved, "out_removed");
            *outRemoved = 0;
            *outRemoved = Handles.Get<IntermediateCache>(cache, "cache").InvalidateTag(NativeStrings.Read(tag, "tag"));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_clear")]
    public static int Clear(nint cache, byte* resultType)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            Handles.Get<IntermediateCache>(cache, "cache").Clear(NativeStrings.ReadOptional(resultType, "result_type"));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }
}
