namespace Osipy.MappedCache.Cli.Formats;

/// <summary>An <see cref="ArraySource"/> over a byte array, for arrays small enough to hold in memory.</summary>
/// <remarks>Not thread-safe; the array stays the caller's and must not change while a writer reads it.</remarks>
internal sealed class MemoryArraySource : ArraySource
{
    private readonly byte[] _bytes;

    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    public MemoryArraySource(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
    }

    /// <inheritdoc/>
    public override long ByteLength => _bytes.LongLength;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The window is not inside the array.</exception>
    public override ReadOnlySpan<byte> Window(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _bytes.LongLength - length);
        return _bytes.AsSpan(checked((int)offset), length);
    }
}
