using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>
/// Holds on a lease's mapping, for callers that attach something to the mapped pages (a CUDA host
/// registration) and must undo it before the unmap: see <see cref="MappingHold"/>.
/// </summary>
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_lease_mapping")]
    public static int LeaseMapping(nint lease, void** outBase, long* outLength)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outBase, "out_base");
            NativeArguments.NotNull(outLength, "out_length");
            *outBase = null;
            *outLength = 0;
            Mapping.SegmentMapping mapping = MappingOf(lease);
            *outBase = (void*)mapping.DangerousGetHandle();
            *outLength = mapping.Length;
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_hold")]
    public static int Hold(nint lease, delegate* unmanaged<nint, void*, void> leaving, void* userData, nint* outHold, void** outBase, long* outLength)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(leaving, "leaving");
            NativeArguments.NotNull(outHold, "out_hold");
            NativeArguments.NotNull(outBase, "out_base");
            NativeArguments.NotNull(outLength, "out_length");
            *outHold = 0;
            *outBase = null;
            *outLength = 0;
            MappedArray array = ArrayOf(lease);

            // The cache may let go on another thread as soon as the hold is attached, before its handle
            // is issued: the callback waits for the handle (this thread issues it next, without blocking).
            var issued = new TaskCompletionSource<nint>(TaskCreationOptions.RunContinuationsAsynchronously);
            MappingHold? hold = array.TryHoldMapping(_ => leaving(issued.Task.GetAwaiter().GetResult(), userData));
            if (hold is null)
            {
                return NativeErrors.Miss("The cache has already let go of this mapping (its entry left the cache while the lease was taken); nothing was held.");
            }

            nint handle = Handles.Add(hold);
            issued.SetResult(handle);
            *outHold = handle;
            *outBase = (void*)hold.Address;
            *outLength = hold.Length;
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_release_hold")]
    public static int ReleaseHold(nint hold)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            Handles.Remove<MappingHold>(hold, "hold").Dispose();
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    private static MappedArray ArrayOf(nint lease)
    {
        NativeLease held = Handles.Get<NativeLease>(lease, "lease");
        return held.Count > 0
            ? held.Array(0)
            : throw new ArgumentException("The lease holds a bundle of no arrays: it maps nothing to hold.", nameof(lease));
    }

    private static Mapping.SegmentMapping MappingOf(nint lease) => ArrayOf(lease).Mapping;
}
