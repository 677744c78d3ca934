namespace Osipy.MappedCache.Cli.Formats;

/// <summary>How a NIfTI-1 header field is stored.</summary>
internal enum NiftiFieldKind
{
    /// <summary>An unsigned byte (a C <c>char</c> used as a number).</summary>
    Byte,
    Int16,
    Int32,
    Float32,

    /// <summary>A NUL-padded character array.</summary>
    Text,
}

/// <summary>What a NIfTI-1 header field means to the readers and writers.</summary>
internal enum NiftiFieldUse
{
    /// <summary>Describes the file's layout (sizes, offsets, magic) or is unused: never in the metadata.</summary>
    Layout,

    /// <summary>In the metadata on read; on write it follows from the array instead (type, scaling).</summary>
    ReadOnly,

    /// <summary>In the metadata on read, and taken from it on write.</summary>
    Metadata,
}

/// <summary>One field of the 348-byte NIfTI-1 header: its name in nifti1.h, place, kind and element count.</summary>
internal readonly record struct NiftiField(string Name, int Offset, NiftiFieldKind Kind, int Count, NiftiFieldUse Use)
{
    /// <summary>The metadata key, e.g. <c>nifti.pixdim</c>.</summary>
    public string Key => "nifti." + Name;

    /// <summary>The size of one element, which is also the unit a byte-order change reverses.</summary>
    public int ElementSize => Kind switch
    {
        NiftiFieldKind.Int16 => 2,
        NiftiFieldKind.Int32 or NiftiFieldKind.Float32 => 4,
        _ => 1,
    };
}
