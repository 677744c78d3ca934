using System.Buffers.Binary;
using System.Text;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// NumPy's .npy format (numpy/lib/format.py): open one for reading, or write one from a C-order array.
/// </summary>
/// <remarks>Stateless and thread-safe; each call works on its own file.</remarks>
internal static class NpyFile
{
    // The data starts at a multiple of this, as numpy/lib/format.py's ARRAY_ALIGN asks.
    private const int Alignment = 64;
    private const int PrefixLength = 10;

    /// <summary>Opens <paramref name="path"/> and reads and checks its header.</summary>
    /// <returns>A reader positioned to copy the data; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed .npy of a supported type, or is truncated; the message names the file and the problem.</exception>
    public static NpyReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return NpyReader.Open(stream, path);
    }

    /// <summary>
    /// Writes a version 1.0 .npy file: the header padded so that the data starts at a multiple of 64
    /// bytes, then the array in C order.
    /// </summary>
    /// <param name="path">The file to create or replace; it appears only once it is complete.</param>
    /// <param name="source">The array, little-endian and in C order.</param>
    /// <param name="type">Its element type.</param>
    /// <param name="shape">Its shape (at most <see cref="FormatLimits.MaxNpyDimensions"/> dimensions).</param>
    /// <param name="progress">Told the count of array bytes written so far after each block.</param>
    /// <param name="overwrite">Whether an existing file at <paramref name="path"/> is replaced.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shape does not fit the source's size, or has too many dimensions.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="IOException">The file cannot be written, or exists and <paramref name="overwrite"/> is false; the message names <paramref name="path"/>; nothing is left behind.</exception>
    public static void Write(string path, ArraySource source, ElementType type, ReadOnlySpan<long> shape, IProgress<long>? progress = null, bool overwrite = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(type);
        byte[] header = Header(type, shape);
        if (!ArrayShape.TryGetLength(shape, type.ItemSize, out _, out long byteLength) || byteLength != source.ByteLength)
        {
            throw new ArgumentException($"The shape {ArrayShape.Format(shape)} of {type.Name} does not describe the source's {source.ByteLength} bytes.", nameof(shape));
        }

        long[] dims = shape.ToArray();
        AtomicFile.Write(path, overwrite, stream =>
        {
            stream.Write(header);
            ArrayWriting.Write(source, stream, dims, type.ItemSize, fortranOrder: false, progress);
        });
    }

    /// <summary>The whole version 1.0 header (magic, version, length, dict, padding, newline).</summary>
    internal static byte[] Header(ElementType type, ReadOnlySpan<long> shape)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shape.Length, FormatLimits.MaxNpyDimensions, nameof(shape));
        foreach (long dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));
        }

        // NumPy's repr of the dict, then spaces and a newline so that the data is aligned; like
        // format.py's _wrap_header, an already aligned header still gets a full 64 bytes of padding.
        string dictionary = $"{{'descr': '{type.Descr}', 'fortran_order': False, 'shape': {ArrayShape.Format(shape)}, }}";
        int unpadded = PrefixLength + dictionary.Length + 1;
        int padding = Alignment - (unpadded % Alignment);
        int headerLength = dictionary.Length + padding + 1;
        byte[] header = new byte[PrefixLength + headerLength];
        header[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", header.AsSpan(1));
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), checked((ushort)headerLength));
        int end = PrefixLength + Encoding.ASCII.GetBytes(dictionary, header.AsSpan(PrefixLength));
        header.AsSpan(end, padding).Fill((byte)' ');
        header[^1] = (byte)'\n';
        return header;
    }
}
