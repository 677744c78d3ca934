namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Reads a file's array elements in stored order, block by block, and hands them on as the caller
/// wants them: little-endian, booleans made canonical, NIfTI scaling applied; it also counts the
/// bytes read for progress and turns a short read into an <see cref="InvalidDataException"/>.
/// </summary>
/// <remarks>One per read of one array; not thread-safe. It owns none of the streams it reads.</remarks>
internal sealed class ElementBlockReader
{
    private readonly Stream _stream;
    private readonly string _path;
    private readonly ElementType _stored;
    private readonly bool _swap;
    private readonly NiftiScaling? _scaling;
    private readonly IProgress<long>? _progress;
    private readonly long _storedBytes;
    private byte[]? _raw;

    /// <param name="stream">Positioned at the first element.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="stored">The stored element type.</param>
    /// <param name="bigEndian">Whether the stored elements are big-endian.</param>
    /// <param name="storedBytes">The size of the stored array, for the truncation message.</param>
    /// <param name="scaling">NIfTI scaling to apply, or null.</param>
    /// <param name="progress">Told the count of stored bytes read so far after each block.</param>
    public ElementBlockReader(Stream stream, string path, ElementType stored, bool bigEndian, long storedBytes, NiftiScaling? scaling, IProgress<long>? progress)
    {
        _stream = stream;
        _path = path;
        _stored = stored;
        _swap = bigEndian;
        _storedBytes = storedBytes;
        _scaling = scaling;
        _progress = progress;
    }

    /// <summary>The element type handed on (the stored one, or the scaled one).</summary>
    public ElementType Output => _scaling?.Output ?? _stored;

    /// <summary>Stored bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next <c>output.Length / Output.ItemSize</c> elements into <paramref name="output"/>.</summary>
    /// <exception cref="InvalidDataException">The file ends first, or its gzip stream is corrupt.</exception>
    public void Read(Span<byte> output)
    {
        int count = output.Length / Output.ItemSize;
        int rawLength = count * _stored.ItemSize;

        // Without scaling the output has the stored layout, so the bytes go straight to their place.
        Span<byte> raw = output[..rawLength];
        if (_scaling is not null)
        {
            if (_raw is null || _raw.Length < rawLength)
            {
                _raw = GC.AllocateUninitializedArray<byte>(rawLength);
            }

            raw = _raw.AsSpan(0, rawLength);
        }

        int read = StreamReads.AtMost(_stream, raw, _path);
        BytesRead += read;
        if (read < rawLength)
        {
            throw InvalidFile.Exception(_path, $"the data is truncated: the file ends after {BytesRead} of the array's {_storedBytes} bytes");
        }

        if (_swap)
        {
            ElementBytes.Swap(raw, _stored.SwapUnit);
        }

        if (_stored == ElementType.Bool)
        {
            ElementBytes.NormalizeBooleans(raw);
        }

        _scaling?.Apply(_stored, raw, output);
        _progress?.Report(BytesRead);
    }
}
