using System.Runtime.InteropServices;

using System.Globalization;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Native;

internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get")]
    public static int Get(nint cache, byte* resultType, byte* key, nint* outLease, void** outData, int* outDtype, int* outNdim, long* outShape)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            LeaseOutputs.ClearArray(outLease, outData, outDtype, outNdim, outShape);
            string type = NativeStrings.Read(resultType, "result_type"), name = NativeStrings.Read(key, "key");
            MappedArray? array = Handles.Get<IntermediateCache>(cache, "cache").GetUntyped(type, name);
            if (array is null)
            {
                return NativeErrors.Miss($"No entry '{name}' of result type '{type}'.");
            }

            return LeaseOutputs.HandOutArray(array, outLease, outData, outDtype, outNdim, outShape);
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get_bundle")]
    public static int GetBundle(nint cache, byte* resultType, byte* key, nint* outLease, int* outCount)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outLease, "out_lease");
            NativeArguments.NotNull(outCount, "out_count");
            *outLease = 0;
            string type = NativeStrings.Read(resultType, "result_type"), name = NativeStrings.Read(key, "key");
            MappedBundle? bundle = Handles.Get<IntermediateCache>(cache, "cache").GetBundle(type, name);
            if (bundle is null)
            {
                return NativeErrors.Miss($"No entry '{name}' of result type '{type}'.");
            }

            var lease = NativeLease.Of(bundle);
            *outCount = lease.Count;
            *outLease = Handles.Add(lease);
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get_any")]
    public static int GetAny(nint cache, byte* resultType, byte* key, nint* outLease, int* outKind, int* outCount)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            LeaseOutputs.ClearAny(outLease, outKind, outCount);
            string type = NativeStrings.Read(resultType, "result_type"), name = NativeStrings.Read(key, "key");
            IDisposable? found = Handles.Get<IntermediateCache>(cache, "cache").GetAny(type, name);
            if (found is null)
            {
                return NativeErrors.Miss($"No entry '{name}' of result type '{type}'.");
            }

            return LeaseOutputs.HandOutAny(found, outLease, outKind, outCount);
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_bundle_array")]
    public static int BundleArray(nint bundle, int index, byte** outName, void** outData, int* outDtype, int* outNdim, long* outShape)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outName, "out_name");
            NativeArguments.NotNull(outData, "out_data");
            NativeArguments.NotNull(outDtype, "out_dtype");
            NativeArguments.NotNull(outNdim, "out_ndim");
            NativeArguments.NotNull(outShape, "out_shape");
            NativeLease lease = Handles.Get<NativeLease>(bundle, "lease");
            MappedArray array = lease.Array(index);
            NativeArguments.Describe(array, outDtype, outNdim, outShape);
            *outName = lease.Name(index);
            *outData = NativeArguments.AddressOf(array);
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_release")]
    public static int Release(nint lease)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            // Only what a get handed out: a cache or writer handle here is an error, never a close.
            Handles.RemoveLease(lease).Dispose();
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_has")]
    public static int Has(nint cache, byte* resultType, byte* key, int* outHas)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outHas, "out_has");
            *outHas = Handles.Get<IntermediateCache>(cache, "cache").Has(NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key")) ? 1 : 0;
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }
}
