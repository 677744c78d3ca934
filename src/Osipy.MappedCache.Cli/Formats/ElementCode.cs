namespace Osipy.MappedCache.Cli.Formats;

/// <summary>The element types the file formats read and write; one per NumPy <c>descr</c> in <see cref="ElementType"/>.</summary>
internal enum ElementCode
{
    Bool,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float16,
    Float32,
    Float64,

    /// <summary>Two little-endian float32, real part first (NumPy's complex64, NIfTI's DT_COMPLEX64).</summary>
    Complex64,

    /// <summary>
    /// Two little-endian float64, real part first (NumPy's complex128): only what scaled complex64
    /// NIfTI data becomes (<see cref="NiftiScaling"/>); neither format here reads or writes it.
    /// </summary>
    Complex128,
}
