namespace Osipy.MappedCache.Cli.Formats;

/// <summary>An <see cref="ArrayDestination"/> over a byte array, for arrays small enough to hold in memory.</summary>
/// <remarks>Not thread-safe; the array stays the caller's.</remarks>
internal sealed class MemoryArrayDestination : ArrayDestination
{
    private readonly byte[] _bytes;

    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    public MemoryArrayDestination(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
    }

    /// <summary>The array the reader writes into.</summary>
    public byte[] Bytes => _bytes;

    /// <inheritdoc/>
    public override long ByteLength => _bytes.LongLength;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The window is not inside the array.</exception>
    public override Span<byte> Window(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _bytes.LongLength - length);
        return _bytes.AsSpan(checked((int)offset), length);
    }
}
