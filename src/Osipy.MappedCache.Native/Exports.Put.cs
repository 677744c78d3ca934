using System.Runtime.InteropServices;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Native;

internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_put")]
    public static int Put(nint cache, byte* resultType, byte* key, int dtype, void* data, long* shape, int ndim, byte* metadataJson)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            DType type = NativeArguments.DType(dtype);
            long[] dims = NativeArguments.Shape(shape, ndim);
            long bytes = NativeArguments.PayloadBytes(type, dims, "shape");
            if (bytes > 0)
            {
                NativeArguments.NotNull(data, "data");
            }

            var tagged = NativeArguments.MetadataAndTags(metadataJson);
            target.PutUntyped(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), type, dims,
                ByteSource.FromNative(data, bytes), tagged.Metadata, tagged.Tags);
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_put_bundle")]
    public static int PutBundle(nint cache, byte* resultType, byte* key, int count, byte** names, int* dtypes, void** datas, long** shapes, int* ndims, byte* metadataJson)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            if (count is < 0 or > SegmentLimits.MaxArrays)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be between 0 and {SegmentLimits.MaxArrays}.");
            }

            if (count > 0)
            {
                NativeArguments.NotNull(names, "names");
                NativeArguments.NotNull(dtypes, "dtypes");
                NativeArguments.NotNull(datas, "datas");
                NativeArguments.NotNull(shapes, "shapes");
                NativeArguments.NotNull(ndims, "ndims");
            }

            var arrays = new (string Name, DType DType, long[] Shape, ByteSource Data)[count];
            for (int i = 0; i < count; i++)
            {
                string name = NativeStrings.Read(names[i], $"names[{i}]");
                DType type = NativeArguments.DType(dtypes[i]);
                long[] dims = NativeArguments.Shape(shapes[i], ndims[i]);
                long bytes = NativeArguments.PayloadBytes(type, dims, $"shapes[{i}]");
                if (bytes > 0)
                {
                    NativeArguments.NotNull(datas[i], $"datas[{i}]");
                }

                arrays[i] = (name, type, dims, ByteSource.FromNative(datas[i], bytes));
            }

            var tagged = NativeArguments.MetadataAndTags(metadataJson);
            target.PutBundleUntyped(NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), arrays, tagged.Metadata, tagged.Tags);
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_create")]
    public static int Create(nint cache, byte* resultType, byte* key, int dtype, long* shape, int ndim, byte* metadataJson, nint* outWriter, void** outData)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outWriter, "out_writer");
            NativeArguments.NotNull(outData, "out_data");
            *outWriter = 0;
            *outData = null;
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            var tagged = NativeArguments.MetadataAndTags(metadataJson);
            IUntypedWriter writer = target.CreateUntyped(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), NativeArguments.DType(dtype), NativeArguments.Shape(shape, ndim), tagged.Metadata, tagged.Tags);
            *outData = NativeArguments.AddressOf(writer.View);
            *outWriter = Handles.Add(new NativeWriter(writer, FillingWriters.Register(writer)));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get_or_create")]
    public static int GetOrCreate(
        nint cache, byte* resultType, byte* key, int dtype, long* shape, int ndim, byte* metadataJson,
        delegate* unmanaged<void*, long, void*, int> fill, void* userData,
        nint* outLease, void** outData, int* outDtype, int* outNdim, long* outShape)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(fill, "fill");
            LeaseOutputs.ClearArray(outLease, outData, outDtype, outNdim, outShape);
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            var tagged = NativeArguments.MetadataAndTags(metadataJson);
            MappedArray array = target.GetOrCreateUntyped(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), NativeArguments.DType(dtype), NativeArguments.Shape(shape, ndim),
                writer =>
                {
                    int status;
                    using (FillingWriters.Register(writer))
                    {
                        status = fill(NativeArguments.AddressOf(writer.View), writer.View.SizeBytes, userData);
                    }

                    if (status != 0)
                    {
                        throw new FillFailedException($"The fill callback returned {status}; nothing was published.");
                    }
                },
                tagged.Metadata, tagged.Tags);
            return LeaseOutputs.HandOutArray(array, outLease, outData, outDtype, outNdim, outShape);
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_commit")]
    public static int Commit(nint writer)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            using NativeWriter committing = Handles.Remove<NativeWriter>(writer, "writer");
            committing.Commit();
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_abandon")]
    public static int Abandon(nint writer)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            Handles.Remove<NativeWriter>(writer, "writer").Dispose();
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }
}
