using System.Runtime.InteropServices;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Native;

internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_put")]
    public static int Put(nint cache, byte* resultType, byte* key, int dtype, void* data, long* shape, int ndim, byte* metadataJson)
    {
        try
        {
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            var array = new ArrayDraft(string.Empty, NativeArguments.DType(dtype), NativeArguments.Shape(shape, ndim));
            long bytes = array.PayloadLength;
            if (bytes > 0)
            {
                NativeArguments.NotNull(data, "data");
            }

            nint address = (nint)data;
            target.PutRaw(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), SegmentKind.SingleArray, [array],
                NativeArguments.Metadata(metadataJson), writer => CopyFrom(writer, address, bytes), singleArrayAddress: bytes > 0 ? address : 0);
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

            var arrays = new ArrayDraft[count];
            var addresses = new nint[count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = NativeStrings.Read(names[i], $"names[{i}]");
                if (!seen.Add(name))
                {
                    throw new ArgumentException($"Array name '{name}' appears twice.", nameof(names));
                }

                arrays[i] = new ArrayDraft(name, NativeArguments.DType(dtypes[i]), NativeArguments.Shape(shapes[i], ndims[i]));
                if (arrays[i].PayloadLength > 0)
                {
                    NativeArguments.NotNull(datas[i], $"datas[{i}]");
                }

                addresses[i] = (nint)datas[i];
            }

            target.PutRaw(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), SegmentKind.Bundle, arrays,
                NativeArguments.Metadata(metadataJson), writer =>
                {
                    for (int i = 0; i < arrays.Length; i++)
                    {
                        CopyFrom(writer, addresses[i], arrays[i].PayloadLength);
                    }
                });
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
            NativeArguments.NotNull(outWriter, "out_writer");
            NativeArguments.NotNull(outData, "out_data");
            *outWriter = 0;
            *outData = null;
            IntermediateCache target = Handles.Get<IntermediateCache>(cache, "cache");
            int[] dims = [.. NativeArguments.Shape(shape, ndim).Select(d => (int)d)];
            IUntypedWriter writer = target.CreateUntyped(
                NativeStrings.Read(resultType, "result_type"), NativeStrings.Read(key, "key"), NativeArguments.DType(dtype), dims, NativeArguments.Metadata(metadataJson));
            *outData = (void*)writer.DangerousGetAddress();
            *outWriter = Handles.Add(writer);
            return NativeErrors.Ok();
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
            using IUntypedWriter committing = Handles.Remove<IUntypedWriter>(writer, "writer");
            committing.CommitUntyped().Dispose();
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
            Handles.Remove<IUntypedWriter>(writer, "writer").Dispose();
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    /// <summary>Feeds <paramref name="bytes"/> bytes at <paramref name="address"/> to the writer.</summary>
    private static void CopyFrom(SegmentWriter writer, nint address, long bytes) => writer.AppendFrom(address, bytes);
}
