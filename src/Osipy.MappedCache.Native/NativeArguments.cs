using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Native;

/// <summary>Checks of the numbers a C caller passes, before they size or address anything.</summary>
internal static unsafe class NativeArguments
{
    /// <exception cref="ArgumentOutOfRangeException">Not one of the header's OSIPY_* element type codes.</exception>
    public static DType DType(int code) =>
        code is >= 1 and <= byte.MaxValue && DTypes.IsDefined((DType)code)
            ? (DType)code
            : throw new ArgumentOutOfRangeException("dtype", code, $"{code} is not an element type code (OSIPY_FLOAT32 = 1 ... OSIPY_COMPLEX128 = 12).");

    /// <summary>0..32 dimensions, each in [0, 2^31), read from <paramref name="shape"/> (which may be NULL for 0: a scalar, one element).</summary>
    public static long[] Shape(long* shape, int ndim)
    {
        if (ndim is < 0 or > SegmentLimits.MaxDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(ndim), ndim, $"ndim must be between 0 (a scalar) and {SegmentLimits.MaxDimensions}.");
        }

        if (ndim == 0)
        {
            return [];
        }

        if (shape is null)
        {
            throw new ArgumentNullException(nameof(shape), "shape is NULL.");
        }

        var dims = new long[ndim];
        for (int d = 0; d < ndim; d++)
        {
            dims[d] = shape[d] is >= 0 and <= int.MaxValue
                ? shape[d]
                : throw new ArgumentOutOfRangeException(nameof(shape), shape[d], $"shape[{d}] = {shape[d]} is not in [0, 2^31).");
        }

        return dims;
    }

    /// <summary>Bytes of an array of this type and shape, or a clear error naming <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The product overflows a file's size.</exception>
    public static long PayloadBytes(DType dtype, long[] dims, string name)
    {
        try
        {
            return SegmentLayout.PayloadLength(dtype, dims);
        }
        catch (OverflowException)
        {
            throw new ArgumentException($"{name} ({string.Join(", ", dims)}) holds more elements than a file can.", name);
        }
    }

    /// <summary>Where an array's first element is in its mapping, for the caller; valid while its lease lives.</summary>
    /// <exception cref="ObjectDisposedException">The lease is disposed.</exception>
    public static void* AddressOf(MappedArray array)
    {
        ObjectDisposedException.ThrowIf(array.IsDisposed, array);
        return (void*)array.Mapping.AddressAt(array.PayloadOffset, array.SizeBytes);
    }

    /// <summary>Null or an empty string means no metadata; otherwise a JSON object.</summary>
    /// <exception cref="ArgumentException">Not a JSON object; the message says what is wrong with metadata_json.</exception>
    public static IReadOnlyDictionary<string, object?>? Metadata(byte* json)
    {
        if (NativeStrings.ReadOptional(json, "metadata_json") is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            return MetadataJson.Deserialize(text);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or InvalidDataException)
        {
            throw new ArgumentException($"metadata_json is not a valid JSON object: {ex.Message}", "metadata_json");
        }
    }

    /// <summary>
    /// metadata_json as the metadata and the tags: the reserved property "osipy_tags" (an array of
    /// strings) is how a C or Python caller tags an entry.
    /// </summary>
    /// <exception cref="ArgumentException">Not a JSON object, or "osipy_tags" is not an array of strings.</exception>
    public static (IReadOnlyDictionary<string, object?>? Metadata, IReadOnlyCollection<string>? Tags) MetadataAndTags(byte* json)
    {
        IReadOnlyDictionary<string, object?>? metadata = Metadata(json);
        if (metadata is null || !metadata.TryGetValue(EntryTags.Property, out object? value))
        {
            return (metadata, null);
        }

        if (value is not object?[] items || items.Any(item => item is not string))
        {
            throw new ArgumentException($"metadata_json's \"{EntryTags.Property}\" must be an array of strings (the entry's tags).", "metadata_json");
        }

        var rest = new Dictionary<string, object?>(metadata);
        rest.Remove(EntryTags.Property);
        return (rest, [.. items.Cast<string>()]);
    }

    public static void NotNull(void* pointer, string name)
    {
        if (pointer is null)
        {
            throw new ArgumentNullException(name, $"{name} is NULL.");
        }
    }

    /// <summary>Writes an array's type and shape to the caller's out parameters (out_shape holds 32).</summary>
    public static void Describe(MappedArray array, int* outDtype, int* outNdim, long* outShape)
    {
        *outDtype = (int)DTypes.FromType(array.ElementType);
        *outNdim = array.Shape.Count;
        for (int d = 0; d < array.Shape.Count; d++)
        {
            outShape[d] = array.Shape[d];
        }
    }
}
