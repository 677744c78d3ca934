namespace Osipy.MappedCache.Native;

/// <summary>
/// The out parameters through which the exports hand a lease to C: checked and cleared before any
/// work (so a failure leaves no stale pointer), filled once the lease exists.
/// </summary>
internal static unsafe class LeaseOutputs
{
    /// <summary>Checks and clears a single array's outputs (osipy_cache_get and the get_or_creates).</summary>
    /// <exception cref="ArgumentNullException">An output pointer is null.</exception>
    public static void ClearArray(nint* outLease, void** outData, int* outDtype, int* outNdim, long* outShape)
    {
        NativeArguments.NotNull(outLease, "out_lease");
        NativeArguments.NotNull(outData, "out_data");
        NativeArguments.NotNull(outDtype, "out_dtype");
        NativeArguments.NotNull(outNdim, "out_ndim");
        NativeArguments.NotNull(outShape, "out_shape");
        *outLease = 0;
        *outData = null;
    }

    /// <summary>Hands <paramref name="array"/> out: its description, its data and a lease handle owning it.</summary>
    public static int HandOutArray(MappedArray array, nint* outLease, void** outData, int* outDtype, int* outNdim, long* outShape)
    {
        NativeArguments.Describe(array, outDtype, outNdim, outShape);
        *outData = NativeArguments.AddressOf(array);
        *outLease = Handles.Add(NativeLease.Of(array));
        return NativeErrors.Ok();
    }

    /// <summary>Checks and clears the outputs of a get of either kind (osipy_cache_get_any, osipy_cache_get_or_compute).</summary>
    /// <exception cref="ArgumentNullException">An output pointer is null.</exception>
    public static void ClearAny(nint* outLease, int* outKind, int* outCount)
    {
        NativeArguments.NotNull(outLease, "out_lease");
        NativeArguments.NotNull(outKind, "out_kind");
        NativeArguments.NotNull(outCount, "out_count");
        *outLease = 0;
    }

    /// <summary>Hands out an entry of either kind (a <see cref="MappedArray"/> or a <see cref="MappedBundle"/>) as one lease.</summary>
    public static int HandOutAny(IDisposable found, nint* outLease, int* outKind, int* outCount)
    {
        NativeLease lease = found is MappedBundle bundle ? NativeLease.Of(bundle) : NativeLease.Of((MappedArray)found);
        *outKind = lease.Kind;
        *outCount = lease.Count;
        *outLease = Handles.Add(lease);
        return NativeErrors.Ok();
    }
}
