using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Osipy.MappedCache.Peers;

/// <summary>Reads a C-order little-endian float32 .npy file, as np.save writes it (format 1.0 to 3.0).</summary>
internal static class NpyFile
{
    public static (float[] Data, int[] Shape) ReadFloat32(string path)
    {
        using SafeFileHandle handle = File.OpenHandle(path);
        Span<byte> preamble = stackalloc byte[12];
        RandomAccess.Read(handle, preamble, 0);
        if (preamble[0] != 0x93 || !preamble[1..6].SequenceEqual("NUMPY"u8))
        {
            throw new InvalidDataException($"{path} is not a .npy file.");
        }

        bool wideLength = preamble[6] >= 2;
        int headerLength = wideLength ? BitConverter.ToInt32(preamble[8..12]) : BitConverter.ToUInt16(preamble[8..10]);
        int headerStart = wideLength ? 12 : 10;
        byte[] headerBytes = new byte[headerLength];
        RandomAccess.Read(handle, headerBytes, headerStart);
        string header = Encoding.ASCII.GetString(headerBytes);
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal) || !header.Contains("'fortran_order': False", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path} is not a C-order float32 array: {header}");
        }

        int open = header.IndexOf("'shape': (", StringComparison.Ordinal) + "'shape': (".Length;
        int close = header.IndexOf(')', open);
        int[] shape = header[open..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        long count = shape.Aggregate(1L, (product, length) => product * length);

        float[] data = new float[count];
        Span<byte> bytes = MemoryMarshal.AsBytes(data.AsSpan());
        long offset = headerStart + headerLength;
        while (!bytes.IsEmpty)
        {
            int read = RandomAccess.Read(handle, bytes, offset);
            if (read == 0)
            {
                throw new EndOfStreamException($"{path} ends before its {count} elements.");
            }

            bytes = bytes[read..];
            offset += read;
        }

        return (data, shape);
    }
}
