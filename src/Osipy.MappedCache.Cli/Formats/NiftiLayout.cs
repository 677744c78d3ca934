namespace Osipy.MappedCache.Cli.Formats;

/// <summary>The NIfTI-1 header (nifti1.h), field by field, in file order.</summary>
internal static class NiftiLayout
{
    public const int HeaderSize = 348;

    /// <summary>Where the data starts in the files we write: the header and the 4-byte extension flag.</summary>
    public const int MinimumDataOffset = 352;

    public const int SizeofHdr = 0;
    public const int Dim = 40;
    public const int Datatype = 70;
    public const int Bitpix = 72;
    public const int Pixdim = 76;
    public const int VoxOffset = 108;
    public const int SclSlope = 112;
    public const int SclInter = 116;
    public const int Regular = 38;
    public const int Magic = 344;

    /// <summary>Every field, so that a big-endian header is swapped whole and the metadata is one table.</summary>
    public static IReadOnlyList<NiftiField> Fields { get; } =
    [
        new("sizeof_hdr", SizeofHdr, NiftiFieldKind.Int32, 1, NiftiFieldUse.Layout),
        new("data_type", 4, NiftiFieldKind.Text, 10, NiftiFieldUse.Layout),
        new("db_name", 14, NiftiFieldKind.Text, 18, NiftiFieldUse.Layout),
        new("extents", 32, NiftiFieldKind.Int32, 1, NiftiFieldUse.Layout),
        new("session_error", 36, NiftiFieldKind.Int16, 1, NiftiFieldUse.Layout),
        new("regular", Regular, NiftiFieldKind.Byte, 1, NiftiFieldUse.Layout),
        new("dim_info", 39, NiftiFieldKind.Byte, 1, NiftiFieldUse.Metadata),
        new("dim", Dim, NiftiFieldKind.Int16, 8, NiftiFieldUse.Layout),
        new("intent_p1", 56, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("intent_p2", 60, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("intent_p3", 64, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("intent_code", 68, NiftiFieldKind.Int16, 1, NiftiFieldUse.Metadata),
        new("datatype", Datatype, NiftiFieldKind.Int16, 1, NiftiFieldUse.ReadOnly),
        new("bitpix", Bitpix, NiftiFieldKind.Int16, 1, NiftiFieldUse.ReadOnly),
        new("slice_start", 74, NiftiFieldKind.Int16, 1, NiftiFieldUse.Metadata),
        new("pixdim", Pixdim, NiftiFieldKind.Float32, 8, NiftiFieldUse.Metadata),
        new("vox_offset", VoxOffset, NiftiFieldKind.Float32, 1, NiftiFieldUse.Layout),
        new("scl_slope", SclSlope, NiftiFieldKind.Float32, 1, NiftiFieldUse.ReadOnly),
        new("scl_inter", SclInter, NiftiFieldKind.Float32, 1, NiftiFieldUse.ReadOnly),
        new("slice_end", 120, NiftiFieldKind.Int16, 1, NiftiFieldUse.Metadata),
        new("slice_code", 122, NiftiFieldKind.Byte, 1, NiftiFieldUse.Metadata),
        new("xyzt_units", 123, NiftiFieldKind.Byte, 1, NiftiFieldUse.Metadata),
        new("cal_max", 124, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("cal_min", 128, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("slice_duration", 132, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("toffset", 136, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("glmax", 140, NiftiFieldKind.Int32, 1, NiftiFieldUse.Layout),
        new("glmin", 144, NiftiFieldKind.Int32, 1, NiftiFieldUse.Layout),
        new("descrip", 148, NiftiFieldKind.Text, 80, NiftiFieldUse.Metadata),
        new("aux_file", 228, NiftiFieldKind.Text, 24, NiftiFieldUse.Metadata),
        new("qform_code", 252, NiftiFieldKind.Int16, 1, NiftiFieldUse.Metadata),
        new("sform_code", 254, NiftiFieldKind.Int16, 1, NiftiFieldUse.Metadata),
        new("quatern_b", 256, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("quatern_c", 260, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("quatern_d", 264, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("qoffset_x", 268, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("qoffset_y", 272, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("qoffset_z", 276, NiftiFieldKind.Float32, 1, NiftiFieldUse.Metadata),
        new("srow_x", 280, NiftiFieldKind.Float32, 4, NiftiFieldUse.Metadata),
        new("srow_y", 296, NiftiFieldKind.Float32, 4, NiftiFieldUse.Metadata),
        new("srow_z", 312, NiftiFieldKind.Float32, 4, NiftiFieldUse.Metadata),
        new("intent_name", 328, NiftiFieldKind.Text, 16, NiftiFieldUse.Metadata),
        new("magic", Magic, NiftiFieldKind.Text, 4, NiftiFieldUse.Layout),
    ];
}
