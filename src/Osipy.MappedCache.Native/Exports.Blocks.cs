using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

internal static unsafe partial class Exports
{
    /// <summary>
    /// GetOrCreate in blocks that resumes after a kill (IntermediateCache.GetOrCreate with blocks):
    /// <paramref name="fill"/>(user_data, index, data, first_row, rows) per missing block, data
    /// pointing at exactly that block's rows in the new segment, valid during the call. The whole
    /// writer's memory is registered for osipy_cache_keep_memory while the blocks are filled, at
    /// the address data − first_row × row bytes.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get_or_create_blocks")]
    public static int GetOrCreateBlocks(
        nint cache, byte* resultType, byte* key, int dtype, long* shape, int ndim, int blocks, byte* metadataJson,
        delegate* unmanaged<void*, int, void*, long, long, int> fill, void* userData,
        nint* outLease, void** outData, int* outDtype, int* outNdim, long* outShape)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(fill, "fill");
            LeaseOutputs.ClearArray(outLease, outData, outDtype, outNdim, outShape);
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            var tagged = NativeArguments.MetadataAndTags(metadataJson);
            MappedArray array = target.GetOrCreateInBlocksUntyped(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), NativeArguments.DType(dtype), NativeArguments.Shape(shape, ndim), blocks,
                (index, firstRow, rowCount, block) =>
                {
                    int status;
                    fixed (byte* data = block)
                    {
                        status = fill(userData, index, data, firstRow, rowCount);
                    }

                    if (status != 0)
                    {
                        throw new FillFailedException($"The fill callback returned {status} for block {index}; nothing was published, the blocks before it stay recorded.");
                    }
                },
                writer => FillingWriters.Register(writer),
                tagged.Metadata, tagged.Tags);
            return LeaseOutputs.HandOutArray(array, outLease, outData, outDtype, outNdim, outShape);
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }
}
