using System.Numerics;
using Osipy.MappedCache.Cli.Formats;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>Which format a path names (by its extension), and the .NET element type of each file element type.</summary>
internal static class FileFormats
{
    public enum Kind
    {
        Npy,
        Nifti,

        /// <summary>A file osipy's own cache wrote (md5.npz): read by the library, never unpickled.</summary>
        OsipyNpz,
    }

    /// <exception cref="CommandException">The extension is none of .npy, .nii, .nii.gz, .npz.</exception>
    public static Kind Of(string path) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? Kind.Npy
        : path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? Kind.Nifti
        : path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? Kind.OsipyNpz
        : throw new CommandException($"'{path}' is none of .npy, .nii / .nii.gz and osipy's .npz; name the file by its format.");

    /// <summary>The element type the cache stores for a file's elements (numpy's complex64 is <see cref="Complex64"/>).</summary>
    public static Type ClrType(ElementType type) =>
        type.Code == ElementCode.Complex64 ? typeof(Complex64) : type.ClrType ?? throw new CommandException($"The cache cannot store {type.Name} elements.");

    /// <summary>The file element type of a cached element type.</summary>
    public static ElementType FileType(Type type) =>
        type == typeof(Complex64) ? ElementType.Complex64
        : type == typeof(Complex) ? throw new CommandException("complex128 entries cannot be exported to these formats (NIfTI-1 and this writer stop at complex64).")
        : ElementType.All.FirstOrDefault(t => t.ClrType == type) ?? throw new CommandException($"No file element type for {type}.");
}
