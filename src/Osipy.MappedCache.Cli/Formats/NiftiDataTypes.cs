namespace Osipy.MappedCache.Cli.Formats;

/// <summary>NIfTI-1 <c>datatype</c> codes (nifti1.h's <c>DT_*</c>) and the element types they store.</summary>
internal static class NiftiDataTypes
{
    private static readonly (short Code, string Name, ElementType? Type)[] s_codes =
    [
        (0, "UNKNOWN", null),
        (1, "BINARY", null),
        (2, "UINT8", ElementType.UInt8),
        (4, "INT16", ElementType.Int16),
        (8, "INT32", ElementType.Int32),
        (16, "FLOAT32", ElementType.Float32),
        (32, "COMPLEX64", ElementType.Complex64),
        (64, "FLOAT64", ElementType.Float64),
        (128, "RGB24", null),
        (256, "INT8", ElementType.Int8),
        (512, "UINT16", ElementType.UInt16),
        (768, "UINT32", ElementType.UInt32),
        (1024, "INT64", ElementType.Int64),
        (1280, "UINT64", ElementType.UInt64),
        (1536, "FLOAT128", null),
        (1792, "COMPLEX128", null),
        (2048, "COMPLEX256", null),
        (2304, "RGBA32", null),
    ];

    /// <summary>The element type a code stores, or null for the codes this layer does not read.</summary>
    public static ElementType? TypeOf(short code) => Array.Find(s_codes, c => c.Code == code).Type;

    /// <summary>The code, then the name when it is a known one, e.g. <c>128 (DT_RGB24)</c>.</summary>
    public static string Describe(short code) =>
        Array.FindIndex(s_codes, c => c.Code == code) is int i and >= 0 ? $"{code} (DT_{s_codes[i].Name})" : $"{code} (not a NIfTI-1 code)";

    /// <summary>The code that stores <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">NIfTI-1 has no code for the type (bool, float16).</exception>
    public static short CodeOf(ElementType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        int i = Array.FindIndex(s_codes, c => c.Type == type);
        return i >= 0 ? s_codes[i].Code
            : throw new ArgumentException($"NIfTI-1 has no data type for {type.Name}; convert the array (e.g. to uint8 or float32) first.", nameof(type));
    }

    /// <summary>Every code that is read, for messages.</summary>
    public static string Supported => string.Join(", ", s_codes.Where(c => c.Type is not null).Select(c => $"{c.Code} {c.Type!.Name}"));
}
