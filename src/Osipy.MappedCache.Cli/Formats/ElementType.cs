using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// An element type as NumPy describes it (its <c>descr</c>), with its item size and .NET type.
/// Arrays handed to and from the readers and writers are always little-endian, so <see cref="Descr"/>
/// is always the little-endian (or byte-order-free, <c>|</c>) form.
/// </summary>
/// <remarks>Instances are immutable singletons: compare them with <c>==</c>. Thread-safe.</remarks>
internal sealed class ElementType
{
    public static readonly ElementType Bool = new(ElementCode.Bool, "|b1", "bool", 1, typeof(bool));
    public static readonly ElementType Int8 = new(ElementCode.Int8, "|i1", "int8", 1, typeof(sbyte));
    public static readonly ElementType UInt8 = new(ElementCode.UInt8, "|u1", "uint8", 1, typeof(byte));
    public static readonly ElementType Int16 = new(ElementCode.Int16, "<i2", "int16", 2, typeof(short));
    public static readonly ElementType UInt16 = new(ElementCode.UInt16, "<u2", "uint16", 2, typeof(ushort));
    public static readonly ElementType Int32 = new(ElementCode.Int32, "<i4", "int32", 4, typeof(int));
    public static readonly ElementType UInt32 = new(ElementCode.UInt32, "<u4", "uint32", 4, typeof(uint));
    public static readonly ElementType Int64 = new(ElementCode.Int64, "<i8", "int64", 8, typeof(long));
    public static readonly ElementType UInt64 = new(ElementCode.UInt64, "<u8", "uint64", 8, typeof(ulong));
    public static readonly ElementType Float16 = new(ElementCode.Float16, "<f2", "float16", 2, typeof(Half));
    public static readonly ElementType Float32 = new(ElementCode.Float32, "<f4", "float32", 4, typeof(float));
    public static readonly ElementType Float64 = new(ElementCode.Float64, "<f8", "float64", 8, typeof(double));

    /// <summary>
    /// complex64: 8 bytes, two float32. It has no <see cref="ClrType"/>, because <see cref="Complex"/>
    /// is two doubles (16 bytes); the caller picks a layout-compatible type (e.g. a pair of floats).
    /// </summary>
    public static readonly ElementType Complex64 = new(ElementCode.Complex64, "<c8", "complex64", 8, clrType: null);

    /// <summary>
    /// complex128: 16 bytes, two float64 (<see cref="Complex"/>). Not in <see cref="All"/>: no file is
    /// read or written in it; it is what scaled complex64 NIfTI data becomes, as in nibabel.
    /// </summary>
    public static readonly ElementType Complex128 = new(ElementCode.Complex128, "<c16", "complex128", 16, typeof(Complex));

    private ElementType(ElementCode code, string descr, string name, int itemSize, Type? clrType)
    {
        Code = code;
        Descr = descr;
        Name = name;
        ItemSize = itemSize;
        ClrType = clrType;
    }

    /// <summary>Every supported type, in <see cref="ElementCode"/> order.</summary>
    public static IReadOnlyList<ElementType> All { get; } =
        [Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float16, Float32, Float64, Complex64];

    /// <summary>The code to switch on.</summary>
    public ElementCode Code { get; }

    /// <summary>The little-endian NumPy descr, e.g. <c>&lt;f4</c> or <c>|u1</c>.</summary>
    public string Descr { get; }

    /// <summary>NumPy's name, e.g. <c>float32</c>.</summary>
    public string Name { get; }

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; }

    /// <summary>The .NET element type with the same layout, or null for <see cref="Complex64"/>.</summary>
    public Type? ClrType { get; }

    /// <summary>
    /// The size of the units a byte-order change reverses: the item size, except complex types, whose two
    /// halves are swapped separately; 1 means there is nothing to swap.
    /// </summary>
    public int SwapUnit => Code switch
    {
        ElementCode.Complex64 => 4,
        ElementCode.Complex128 => 8,
        _ => ItemSize,
    };

    /// <summary>
    /// Parses a NumPy descr in either byte order (<c>&lt;i2</c>, <c>&gt;i2</c>, <c>|u1</c>; one-byte
    /// types also with <c>&lt;</c> or <c>&gt;</c>).
    /// </summary>
    /// <param name="descr">The descr as stored in a file.</param>
    /// <param name="type">The type, whose <see cref="Descr"/> is the little-endian form.</param>
    /// <param name="bigEndian">Whether the stored bytes are big-endian and must be swapped on read.</param>
    /// <returns>False when the descr is not one of the supported types.</returns>
    public static bool TryParseDescr(string descr, [NotNullWhen(true)] out ElementType? type, out bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(descr);
        type = null;
        bigEndian = false;
        if (descr.Length < 3 || descr[0] is not ('<' or '>' or '|'))
        {
            return false;
        }

        string body = descr[1..];
        foreach (ElementType candidate in All)
        {
            if (candidate.Descr.AsSpan(1).SequenceEqual(body))
            {
                // '|' means "no byte order" and only fits one-byte types; NumPy writes '|' for them.
                if (descr[0] == '|' && candidate.ItemSize != 1)
                {
                    return false;
                }

                type = candidate;
                bigEndian = descr[0] == '>' && candidate.SwapUnit > 1;
                return true;
            }
        }

        return false;
    }

    /// <summary>Looks up a little-endian descr, as the writers take it.</summary>
    /// <exception cref="ArgumentException"><paramref name="descr"/> is not a supported little-endian descr.</exception>
    public static ElementType FromDescr(string descr)
    {
        ArgumentNullException.ThrowIfNull(descr);
        if (!TryParseDescr(descr, out ElementType? type, out bool bigEndian) || bigEndian)
        {
            throw new ArgumentException(
                $"'{descr}' is not a supported little-endian NumPy descr (one of {string.Join(", ", All.Select(t => t.Descr))}).", nameof(descr));
        }

        return type;
    }

    /// <inheritdoc/>
    public override string ToString() => Descr;
}
