using System.Numerics;

namespace Osipy.MappedCache.Format;

/// <summary>Element types a segment can hold. The numeric codes are part of the on-disk record: never renumber.</summary>
internal enum DType : byte
{
    Float32 = 1,
    Float64 = 2,
    Int8 = 3,
    Int16 = 4,
    Int32 = 5,
    Int64 = 6,
    UInt8 = 7,
    UInt16 = 8,
    UInt32 = 9,
    UInt64 = 10,
    Float16 = 11,
    Complex128 = 12,
    Bool = 13,
    Complex64 = 14,
}

/// <summary>Work to do with the .NET type of a run-time element type code (see <see cref="DTypes.Dispatch"/>).</summary>
internal interface IElementTypeVisitor<out TResult>
{
    TResult Visit<T>()
        where T : unmanaged;
}

/// <summary>Maps <see cref="DType"/> to .NET types, NumPy names and NPY <c>descr</c> strings.</summary>
internal static class DTypes
{
    private static readonly (DType Code, Type Type, string Name, string Descr, int ItemSize)[] s_table =
    [
        (DType.Float32, typeof(float), "float32", "<f4", 4),
        (DType.Float64, typeof(double), "float64", "<f8", 8),
        (DType.Int8, typeof(sbyte), "int8", "|i1", 1),
        (DType.Int16, typeof(short), "int16", "<i2", 2),
        (DType.Int32, typeof(int), "int32", "<i4", 4),
        (DType.Int64, typeof(long), "int64", "<i8", 8),
        (DType.UInt8, typeof(byte), "uint8", "|u1", 1),
        (DType.UInt16, typeof(ushort), "uint16", "<u2", 2),
        (DType.UInt32, typeof(uint), "uint32", "<u4", 4),
        (DType.UInt64, typeof(ulong), "uint64", "<u8", 8),
        (DType.Float16, typeof(Half), "float16", "<f2", 2),
        (DType.Complex128, typeof(Complex), "complex128", "<c16", 16),
        (DType.Bool, typeof(bool), "bool", "|b1", 1),
        (DType.Complex64, typeof(Complex64), "complex64", "<c8", 8),
    ];

    /// <summary>
    /// Calls <paramref name="visitor"/> with <c>T</c> the element type of <paramref name="code"/>: the one
    /// place that goes from a run-time code (the C ABI, a record) to a type parameter.
    /// </summary>
    /// <remarks>Generic over the visitor, so a struct visitor (the get path's) is neither boxed nor allocated.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An unknown code.</exception>
    public static TResult Dispatch<TVisitor, TResult>(DType code, TVisitor visitor)
        where TVisitor : IElementTypeVisitor<TResult> => code switch
    {
        DType.Float32 => visitor.Visit<float>(),
        DType.Float64 => visitor.Visit<double>(),
        DType.Int8 => visitor.Visit<sbyte>(),
        DType.Int16 => visitor.Visit<short>(),
        DType.Int32 => visitor.Visit<int>(),
        DType.Int64 => visitor.Visit<long>(),
        DType.UInt8 => visitor.Visit<byte>(),
        DType.UInt16 => visitor.Visit<ushort>(),
        DType.UInt32 => visitor.Visit<uint>(),
        DType.UInt64 => visitor.Visit<ulong>(),
        DType.Float16 => visitor.Visit<Half>(),
        DType.Complex128 => visitor.Visit<Complex>(),
        DType.Bool => visitor.Visit<bool>(),
        DType.Complex64 => visitor.Visit<Complex64>(),
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown element type code."),
    };

    public static bool IsDefined(DType code) => code is >= DType.Float32 and <= DType.Complex64;

    public static bool TryFromType(Type type, out DType code)
    {
        foreach (var row in s_table)
        {
            if (row.Type == type)
            {
                code = row.Code;
                return true;
            }
        }

        code = default;
        return false;
    }

    /// <exception cref="NotSupportedException">The type is not one a segment can hold.</exception>
    public static DType FromType(Type type) =>
        TryFromType(type, out DType code)
            ? code
            : throw new NotSupportedException(
                $"Element type {type} cannot be cached. Supported: {string.Join(", ", s_table.Select(r => $"{r.Name} ({r.Type.Name})"))}.");

    public static bool TryParseDescr(ReadOnlySpan<char> descr, out DType code)
    {
        foreach (var row in s_table)
        {
            if (descr.SequenceEqual(row.Descr))
            {
                code = row.Code;
                return true;
            }
        }

        code = default;
        return false;
    }

    public static Type ClrType(DType code) => Row(code).Type;

    public static string Name(DType code) => Row(code).Name;

    public static string Descr(DType code) => Row(code).Descr;

    public static int ItemSize(DType code) => Row(code).ItemSize;

    /// <summary>"float32 (System.Single)", for error messages.</summary>
    public static string Describe(DType code) => $"{Row(code).Name} ({Row(code).Type})";

    /// <summary>numpy's name of the element type: "float32".</summary>
    public static string NumpyName(DType code) => Row(code).Name;

    private static (DType Code, Type Type, string Name, string Descr, int ItemSize) Row(DType code) =>
        IsDefined(code) ? s_table[(int)code - 1] : throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown element type code.");
}
