using System.Buffers.Binary;
using System.Text;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// An open .npy file whose header has been read and checked; <see cref="ReadInto"/> copies its data,
/// little-endian and in C order, into a destination of <see cref="ByteLength"/> bytes.
/// </summary>
/// <remarks>
/// Every byte of the file is untrusted: <see cref="NpyFile.Open"/> checks the preamble, the header's
/// length (at most <see cref="FormatLimits.MaxNpyHeaderBytes"/>) and grammar, the shape's arithmetic and
/// that the file holds all the data before anything is read into a destination. Not thread-safe.
/// Dispose it to close the file.
/// </remarks>
internal sealed class NpyReader : IDisposable
{
    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private static readonly Encoding s_strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly FileStream _stream;
    private readonly bool _bigEndian;
    private bool _consumed;
    private bool _disposed;

    private NpyReader(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
        (int major, long headerLength, int prefixLength) = ReadPreamble();
        byte[] header = new byte[headerLength];
        StreamReads.Exactly(_stream, header, path, "the NPY header");

        string text;
        try
        {
            // Versions 1 and 2 store the header in Latin-1, version 3 in UTF-8.
            text = major == 3 ? s_strictUtf8.GetString(header) : Encoding.Latin1.GetString(header);
        }
        catch (DecoderFallbackException ex)
        {
            throw InvalidFile.Exception(path, "the NPY 3.0 header is not valid UTF-8", ex);
        }

        if (!NpyDictionary.TryParse(text, out NpyDictionary dictionary, out string error))
        {
            throw InvalidFile.Exception(path, $"the NPY header is malformed: {error}");
        }

        if (!ElementType.TryParseDescr(dictionary.Descr, out ElementType? type, out _bigEndian))
        {
            throw InvalidFile.Exception(
                path, $"the dtype '{Printable.Escape(dictionary.Descr)}' is not supported (only {string.Join(", ", ElementType.All.Select(t => t.Descr))} and their big-endian forms)");
        }

        if (!ArrayShape.TryGetLength(dictionary.Shape, type.ItemSize, out _, out long byteLength))
        {
            throw InvalidFile.Exception(path, $"the shape {ArrayShape.Format(dictionary.Shape)} of {type.Name} overflows a 64-bit byte count");
        }

        DataOffset = prefixLength + headerLength;
        if (_stream.Length - DataOffset < byteLength)
        {
            throw InvalidFile.Exception(
                path,
                $"the data is truncated: shape {ArrayShape.Format(dictionary.Shape)} of {type.Name} needs {byteLength} bytes from offset {DataOffset}, " +
                $"but the file holds {Math.Max(0, _stream.Length - DataOffset)}");
        }

        ElementType = type;
        Shape = dictionary.Shape;
        FortranOrder = dictionary.FortranOrder;
        ByteLength = byteLength;
    }

    /// <summary>The file, as given to <see cref="NpyFile.Open"/>.</summary>
    public string Path { get; }

    /// <summary>The element type; always the little-endian form, even when the file is big-endian.</summary>
    public ElementType ElementType { get; }

    /// <summary>NumPy's shape of the array (C order, whatever the file's order).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Whether the file stores the array in Fortran order (it is handed on in C order anyway).</summary>
    public bool FortranOrder { get; }

    /// <summary>The array's size in bytes: what the destination must hold, and what progress counts to.</summary>
    public long ByteLength { get; }

    /// <summary>Where the data starts in the file.</summary>
    public long DataOffset { get; }

    /// <summary>Opens and checks the file; the constructor's work, with the stream closed if it fails.</summary>
    internal static NpyReader Open(FileStream stream, string path)
    {
        try
        {
            return new NpyReader(stream, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Copies the array into <paramref name="destination"/>, little-endian and in C order.</summary>
    /// <param name="destination">Exactly <see cref="ByteLength"/> bytes.</param>
    /// <param name="progress">Told the count of array bytes read so far, up to <see cref="ByteLength"/>, after each block.</param>
    /// <remarks>
    /// Call it once. Memory stays within one <see cref="FormatLimits.BlockBytes"/> block, whatever the
    /// array's size. The file was checked whole when it was opened; if it shrinks since, this throws after
    /// part of the destination was written, and the caller must discard what was written.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not <see cref="ByteLength"/> bytes.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    /// <exception cref="InvalidOperationException">The data was read already.</exception>
    /// <exception cref="InvalidDataException">The file shrank since it was opened.</exception>
    public void ReadInto(ArrayDestination destination, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArrayReading.BeginRead(destination, ByteLength, Path, ref _consumed);
        _stream.Position = DataOffset;
        var reader = new ElementBlockReader(_stream, Path, ElementType, _bigEndian, ByteLength, scaling: null, progress);
        ArrayReading.Read(reader, destination, [.. Shape], FortranOrder);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _disposed = true;
        _stream.Dispose();
    }

    private (int Major, long HeaderLength, int PrefixLength) ReadPreamble()
    {
        Span<byte> preamble = stackalloc byte[12];
        StreamReads.Exactly(_stream, preamble[..8], Path, "the NPY magic and version");
        if (!preamble[..6].SequenceEqual(s_magic))
        {
            throw InvalidFile.Exception(Path, "not an NPY file (it does not start with \\x93NUMPY)");
        }

        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw InvalidFile.Exception(Path, $"NPY format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        }

        // Version 1 has a 16-bit header length; 2 and 3 have a 32-bit one.
        int prefixLength = major == 1 ? 10 : 12;
        StreamReads.Exactly(_stream, preamble[8..prefixLength], Path, "the NPY header length");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        if (headerLength > FormatLimits.MaxNpyHeaderBytes)
        {
            throw InvalidFile.Exception(Path, $"the NPY header length {headerLength} is over the {FormatLimits.MaxNpyHeaderBytes}-byte limit");
        }

        if (headerLength > _stream.Length - prefixLength)
        {
            throw InvalidFile.Exception(Path, $"the file is truncated: the NPY header is {headerLength} bytes but the file ends {_stream.Length - prefixLength} bytes after the preamble");
        }

        return (major, headerLength, prefixLength);
    }
}
