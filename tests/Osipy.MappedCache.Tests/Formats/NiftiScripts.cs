namespace Osipy.MappedCache.Tests.Formats;

/// <summary>The nibabel scripts the NIfTI tests run (arguments in sys.argv[1:]).</summary>
internal static class NiftiScripts
{
    /// <summary>Prints the header fields the reader's metadata must match, as JSON; float fields as float32 values.</summary>
    private const string PrintFields = """
        import json
        def fields(h):
            out = {}
            for name in ('pixdim', 'srow_x', 'srow_y', 'srow_z'):
                out[name] = [float(v) for v in h[name]]
            for name in ('xyzt_units', 'qform_code', 'sform_code', 'intent_code', 'datatype', 'bitpix', 'dim_info', 'slice_code'):
                out[name] = int(h[name])
            for name in ('quatern_b', 'quatern_c', 'quatern_d', 'qoffset_x', 'qoffset_y', 'qoffset_z', 'toffset', 'cal_min', 'cal_max', 'slice_duration'):
                out[name] = float(h[name])
            for name in ('descrip', 'aux_file', 'intent_name'):
                out[name] = h[name].item().decode('latin-1')
            return json.dumps(out)
        """;

    /// <summary>
    /// A 4D int16 .nii.gz (7x5x3x4) with scl_slope 0.5 and scl_inter 10, written field by field from a
    /// nibabel header (nibabel's own save recomputes the scaling); then what nibabel reads from it.
    /// </summary>
    public const string WriteScaledInt16Gz = PrintFields + "\n" + """
        import sys, gzip, numpy as np, nibabel as nib
        path, expected = sys.argv[1], sys.argv[2]
        raw = (np.arange(7 * 5 * 3 * 4, dtype=np.int16).reshape(7, 5, 3, 4) * 37 % 1000 - 500).astype(np.int16)
        affine = np.array([[-2.5, 0, 0, 90], [0, 2.5, 0, -126], [0, 0, 4, -72], [0, 0, 0, 1]])
        h = nib.Nifti1Header()
        h.set_data_dtype(np.int16)
        h.set_data_shape(raw.shape)
        h.set_zooms((2.5, 2.5, 4.0, 3.2))
        h.set_xyzt_units('mm', 'sec')
        h.set_qform(affine, code=1)
        h.set_sform(affine, code=2)
        h.set_slope_inter(0.5, 10)
        h['descrip'] = b'osipy DCE test'
        h['toffset'] = 1.25
        h['vox_offset'] = 352
        with gzip.open(path, 'wb') as f:
            f.write(h.binaryblock + b'\0' * 4 + raw.astype('<i2').tobytes(order='F'))
        img = nib.load(path)
        assert img.dataobj.slope == 0.5 and img.dataobj.inter == 10
        np.save(expected, np.asanyarray(img.dataobj))
        print(fields(h))
        """;

    /// <summary>A 3D float32 .nii (9x8x7) saved by nibabel, then what nibabel reads from it.</summary>
    public const string WriteFloat32 = PrintFields + "\n" + """
        import sys, numpy as np, nibabel as nib
        path, expected = sys.argv[1], sys.argv[2]
        data = np.random.default_rng(3).standard_normal((9, 8, 7)).astype(np.float32)
        affine = np.diag([1.5, 1.5, 2.0, 1.0])
        affine[:3, 3] = [-6, -5, 7]
        img = nib.Nifti1Image(data, affine)
        img.header.set_xyzt_units('mm')
        img.header['descrip'] = b'T1 map'
        img.header['cal_max'] = 4.5
        nib.save(img, path)
        back = nib.load(path)
        np.save(expected, np.asanyarray(back.dataobj))
        print(fields(back.header))
        """;

    /// <summary>Every datatype the reader supports, little- and big-endian, each with nibabel's reading of it as .npy.</summary>
    public const string WriteEveryDatatype = """
        import sys, os, numpy as np, nibabel as nib
        out = sys.argv[1]
        rng = np.random.default_rng(11)
        shape = (4, 3, 2, 3)
        types = {
            'uint8': np.uint8, 'int8': np.int8, 'int16': np.int16, 'uint16': np.uint16, 'int32': np.int32,
            'uint32': np.uint32, 'int64': np.int64, 'uint64': np.uint64, 'float32': np.float32, 'float64': np.float64,
            'complex64': np.complex64,
        }
        names = []
        for name, t in types.items():
            if np.issubdtype(t, np.integer):
                info = np.iinfo(t)
                data = rng.integers(info.min, info.max, shape, dtype=t, endpoint=True)
            elif t == np.complex64:
                data = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(t)
            else:
                data = rng.standard_normal(shape).astype(t)
            for order in ('<', '>'):
                full = name + ('_be' if order == '>' else '_le')
                h = nib.Nifti1Header(endianness=order)
                h.set_data_dtype(t)
                img = nib.Nifti1Image(data, np.eye(4), header=h, dtype=t)
                nib.save(img, os.path.join(out, full + '.nii'))
                back = nib.load(os.path.join(out, full + '.nii'))
                assert back.header.endianness == order and back.get_data_dtype() == np.dtype(t).newbyteorder(order)
                np.save(os.path.join(out, full + '.npy'), np.asanyarray(back.dataobj))
                names.append(full)
        print(' '.join(names))
        """;
}
