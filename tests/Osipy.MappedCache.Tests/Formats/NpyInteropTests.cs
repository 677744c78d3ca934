using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>.npy files written by numpy read back value by value, and ours load in numpy.</summary>
public sealed class NpyInteropTests : IDisposable
{
    private static readonly long[] s_shape = [3, 4, 2, 5];

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// For every dtype: the array in C order, in Fortran order, big-endian (multi-byte types), and its
    /// little-endian C-order bytes (<c>.bin</c>), which is what the reader must produce.
    /// </summary>
    private const string WriteEveryDtype = """
        import sys, os, numpy as np
        out = sys.argv[1]
        rng = np.random.default_rng(7)
        shape = (3, 4, 2, 5)
        n = int(np.prod(shape))
        arrays = {
            'b1': rng.integers(0, 2, n).astype(np.bool_),
            'i1': rng.integers(-128, 128, n).astype(np.int8),
            'u1': rng.integers(0, 256, n).astype(np.uint8),
            'i2': rng.integers(-2**15, 2**15, n).astype(np.int16),
            'u2': rng.integers(0, 2**16, n).astype(np.uint16),
            'i4': rng.integers(-2**31, 2**31, n).astype(np.int32),
            'u4': rng.integers(0, 2**32, n).astype(np.uint32),
            'i8': rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64),
            'u8': rng.integers(0, 2**64 - 1, n, dtype=np.uint64),
            'f2': rng.standard_normal(n).astype(np.float16),
            'f4': rng.standard_normal(n).astype(np.float32),
            'f8': rng.standard_normal(n),
            'c8': (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64),
        }
        for name, flat in arrays.items():
            a = flat.reshape(shape)
            np.save(os.path.join(out, name + '_C.npy'), a)
            f = np.asfortranarray(a)
            assert f.flags.f_contiguous and not f.flags.c_contiguous
            np.save(os.path.join(out, name + '_F.npy'), f)
            if a.dtype.itemsize > 1:
                np.save(os.path.join(out, name + '_BE.npy'), a.astype(a.dtype.newbyteorder('>')))
                np.save(os.path.join(out, name + '_BEF.npy'), np.asfortranarray(a.astype(a.dtype.newbyteorder('>'))))
            with open(os.path.join(out, name + '.bin'), 'wb') as fh:
                fh.write(np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes(order='C'))
        print(' '.join(arrays))
        """;

    [Fact]
    public void Read_EveryDtypeInCAndFortranOrderAndBigEndian_MatchesNumpyValueByValue()
    {
        string[] names = FormatsPython.Numpy(WriteEveryDtype, _dir.Root).Split(' ', StringSplitOptions.TrimEntries);
        Assert.Equal(13, names.Length);
        foreach (string name in names)
        {
            byte[] expected = File.ReadAllBytes(Path.Combine(_dir.Root, name + ".bin"));
            string[] variants = name.EndsWith('1') ? ["_C", "_F"] : ["_C", "_F", "_BE", "_BEF"];
            foreach (string variant in variants)
            {
                string path = Path.Combine(_dir.Root, name + variant + ".npy");
                using NpyReader reader = NpyFile.Open(path);
                Assert.EndsWith(name, reader.ElementType.Descr, StringComparison.Ordinal);
                Assert.NotEqual('>', reader.ElementType.Descr[0]);
                Assert.Equal(s_shape, reader.Shape);
                Assert.Equal(variant.EndsWith('F'), reader.FortranOrder);
                var destination = new MemoryArrayDestination(new byte[reader.ByteLength]);
                var progress = new RecordingProgress();
                reader.ReadInto(destination, progress);

                Assert.True(expected.AsSpan().SequenceEqual(destination.Bytes), $"{name}{variant}: the bytes differ from numpy's C-order little-endian ones");
                Assert.Equal(reader.ByteLength, progress.Reports[^1]);
            }
        }
    }

    [Fact]
    public void Write_EveryDtype_NumpyLoadsTheSameValuesWithTheDataAlignedTo64()
    {
        string[] names = FormatsPython.Numpy(WriteEveryDtype, _dir.Root).Split(' ', StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(_dir.Root, name + ".bin"));
            ElementType type = ElementType.FromDescr((name.EndsWith('1') ? "|" : "<") + name);
            NpyFile.Write(Path.Combine(_dir.Root, name + "_ours.npy"), new MemoryArraySource(bytes), type, s_shape);
        }

        string output = FormatsPython.Numpy(
            """
            import sys, os, numpy as np
            out = sys.argv[1]
            for name in sys.argv[2:]:
                path = os.path.join(out, name + '_ours.npy')
                theirs = np.load(os.path.join(out, name + '_C.npy'))
                ours = np.load(path)
                assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (name, ours.dtype, ours.shape)
                assert np.array_equal(ours.view(np.uint8), theirs.view(np.uint8)), name
                with open(path, 'rb') as f:
                    assert np.lib.format.read_magic(f) == (1, 0)
                    np.lib.format.read_array_header_1_0(f)
                    assert f.tell() % 64 == 0, (name, f.tell())
                assert isinstance(np.load(path, mmap_mode='r'), np.memmap)
            print('ok', len(sys.argv) - 2)
            """,
            [_dir.Root, .. names]);
        Assert.Equal("ok 13", output.Trim());
    }

    [Fact]
    public void RoundTrip_NpyToNpy_FromBigEndianFortranOrder_KeepsValuesShapeAndLittleEndianDescr()
    {
        FormatsPython.Numpy(WriteEveryDtype, _dir.Root);
        string first = Path.Combine(_dir.Root, "f8_BEF.npy"), second = Path.Combine(_dir.Root, "f8_again.npy");
        byte[] read;
        using (NpyReader reader = NpyFile.Open(first))
        {
            read = new byte[reader.ByteLength];
            reader.ReadInto(new MemoryArrayDestination(read));
            NpyFile.Write(second, new MemoryArraySource(read), reader.ElementType, [.. reader.Shape]);
        }

        using (NpyReader again = NpyFile.Open(second))
        {
            var copy = new byte[again.ByteLength];
            again.ReadInto(new MemoryArrayDestination(copy));
            Assert.Equal("<f8", again.ElementType.Descr);
            Assert.False(again.FortranOrder);
            Assert.Equal(s_shape, again.Shape);
            Assert.Equal(0, again.DataOffset % 64);
            Assert.Equal(read, copy);
        }

        Assert.Equal(
            "ok",
            FormatsPython.Numpy("import sys, numpy as np; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); assert a.dtype.byteorder == '>' and np.array_equal(a, b) and b.dtype == np.dtype('<f8'); print('ok')", first, second).Trim());
    }

    [Fact]
    public void Read_ScalarAndEmptyArraysWrittenByNumpy_KeepTheirShapes()
    {
        string scalar = Path.Combine(_dir.Root, "scalar.npy"), empty = Path.Combine(_dir.Root, "empty.npy");
        FormatsPython.Numpy("import sys, numpy as np; np.save(sys.argv[1], np.float64(2.5)); np.save(sys.argv[2], np.zeros((3, 0, 4), order='F', dtype='>i4'))", scalar, empty);

        using (NpyReader reader = NpyFile.Open(scalar))
        {
            var bytes = new byte[8];
            reader.ReadInto(new MemoryArrayDestination(bytes));
            Assert.Empty(reader.Shape);
            Assert.Equal(2.5, BitConverter.ToDouble(bytes));
        }

        using (NpyReader reader = NpyFile.Open(empty))
        {
            reader.ReadInto(new MemoryArrayDestination([]));
            Assert.Equal([3L, 0, 4], reader.Shape);
            Assert.Equal(0, reader.ByteLength);
        }
    }
}
