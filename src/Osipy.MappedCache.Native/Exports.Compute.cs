using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>
/// Computing once whatever a caller stores (memoize's path), and the stored checksum a provenance
/// key uses for an input that came from the cache.
/// </summary>
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get_or_compute")]
    public static int GetOrCompute(
        nint cache, byte* resultType, byte* key, delegate* unmanaged<void*, int> compute, void* userData,
        nint* outLease, int* outKind, int* outCount)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(compute, "compute");
            LeaseOutputs.ClearAny(outLease, outKind, outCount);
            string type = NativeStrings.Read(resultType, "result_type"), name = NativeStrings.Read(key, "key");
            IDisposable? found = Handles.Get<IntermediateCache>(cache, "cache").GetOrComputeAny(type, name, () =>
            {
                int status = compute(userData);
                if (status != 0)
                {
                    throw new FillFailedException($"The compute callback returned {status}; nothing was published.");
                }
            });
            if (found is null)
            {
                return NativeErrors.Miss($"'{name}' of result type '{type}' was computed but not kept: the type is TRANSIENT.");
            }

            return LeaseOutputs.HandOutAny(found, outLease, outKind, outCount);
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_lease_checksum")]
    public static int LeaseChecksum(nint lease, int index, ulong* outChecksum, long* outLength)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outChecksum, "out_checksum");
            NativeArguments.NotNull(outLength, "out_length");
            MappedArray array = Handles.Get<NativeLease>(lease, "lease").Array(index);
            *outChecksum = array.Record.PayloadChecksum;
            *outLength = array.Record.PayloadLength;
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }
}
