using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>
/// Memory handed to C that a caller may keep past the call that gave it: a writer's data kept
/// after its commit, and a writable, private copy-on-write lease.
/// </summary>
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_keep_memory")]
    public static int KeepMemory(void* data, nint* outMemory)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outMemory, "out_memory");
            *outMemory = 0;
            *outMemory = Handles.Add(new KeptMemory(FillingWriters.At((nint)data).Keep()));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_release_memory")]
    public static int ReleaseMemory(nint memory)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            Handles.Remove<KeptMemory>(memory, "memory").Dispose();
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_lease_private")]
    public static int LeasePrivate(nint lease, nint* outLease)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outLease, "out_lease");
            *outLease = 0;
            NativeLease? twin = Handles.Get<NativeLease>(lease, "lease").PrivateTwin();
            if (twin is null)
            {
                return NativeErrors.Miss("The entry's file is gone (invalidated or replaced since the get): copy the data instead.");
            }

            *outLease = Handles.Add(twin);
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    /// <summary>What osipy_cache_keep_memory hands out: one reference on a writer's mapping.</summary>
    private sealed class KeptMemory(IDisposable reference) : IDisposable
    {
        public void Dispose() => reference.Dispose();
    }
}
