using System.Numerics;
using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

/// <summary>
/// Untyped entry points for the C ABI (src/Osipy.MappedCache.Native), where the element type is a
/// run-time code rather than a type parameter. Same semantics as the public members.
/// </summary>
public sealed partial class IntermediateCache
{
    /// <summary>Appends the payload bytes of each array, in order.</summary>
    internal delegate void PayloadSource(SegmentWriter writer);

    /// <summary>Put with a run-time element type. For a single array, <c>singleArrayAddress</c> says where its bytes are, for the compressed path, which reads them from several threads.</summary>
    internal void PutRaw(
        string resultType, string key, SegmentKind kind, IReadOnlyList<ArrayDraft> arrays, IReadOnlyDictionary<string, object?>? metadata, PayloadSource source,
        nint singleArrayAddress = 0)
    {
        SegmentDraft? draft = PreparePut(resultType, key, kind, arrays, metadata);
        if (draft is null)
        {
            return;
        }

        if (kind == SegmentKind.SingleArray && singleArrayAddress != 0 && ShouldCompress(resultType, draft.Policy))
        {
            PutCompressed(draft, singleArrayAddress);
            return;
        }

        using SegmentWriter writer = CreateWriter(draft);
        source(writer);
        CommitPut(writer, resultType, key, kind, draft.Policy);
    }

    /// <summary>Like <see cref="Get{T}"/> for whatever element type the entry holds.</summary>
    internal MappedArray? GetUntyped(string resultType, string key)
    {
        lock (_gate)
        {
            if (AcquireSingleArray(resultType, key) is not { } state)
            {
                return null;
            }

            _counters.Hits++;
            return MappedArray.Create(new MappingLease(state.Mapping!), state.Entry, state.MappedArrays[0]);
        }
    }

    /// <summary>Like <see cref="Create{T}"/> for a run-time element type.</summary>
    internal IUntypedWriter CreateUntyped(string resultType, string key, DType dtype, int[] shape, IReadOnlyDictionary<string, object?>? metadata) => dtype switch
    {
        DType.Float32 => Create<float>(resultType, key, shape, metadata),
        DType.Float64 => Create<double>(resultType, key, shape, metadata),
        DType.Int8 => Create<sbyte>(resultType, key, shape, metadata),
        DType.Int16 => Create<short>(resultType, key, shape, metadata),
        DType.Int32 => Create<int>(resultType, key, shape, metadata),
        DType.Int64 => Create<long>(resultType, key, shape, metadata),
        DType.UInt8 => Create<byte>(resultType, key, shape, metadata),
        DType.UInt16 => Create<ushort>(resultType, key, shape, metadata),
        DType.UInt32 => Create<uint>(resultType, key, shape, metadata),
        DType.UInt64 => Create<ulong>(resultType, key, shape, metadata),
        DType.Float16 => Create<Half>(resultType, key, shape, metadata),
        DType.Complex128 => Create<Complex>(resultType, key, shape, metadata),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown element type code."),
    };
}

/// <summary>A <see cref="MappedArrayWriter{T}"/> seen without its type parameter.</summary>
internal interface IUntypedWriter : IDisposable
{
    /// <summary>Where the payload starts in the writer's mapping; valid until commit or dispose.</summary>
    nint DangerousGetAddress();

    /// <summary><see cref="MappedArrayWriter{T}.Commit"/>, untyped.</summary>
    MappedArray CommitUntyped();
}
