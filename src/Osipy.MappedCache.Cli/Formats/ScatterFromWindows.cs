namespace Osipy.MappedCache.Cli.Formats;

/// <summary>Writing: source windows scattered into buffer elements.</summary>
internal ref struct ScatterFromWindows(ArraySource source, byte[] buffer, int itemSize) : IWindowCopier
{
    private ReadOnlySpan<byte> _window;

    public void Open(long offset, int length) => _window = source.Window(offset, length);

    public readonly void Copy(int windowOffset, int bufferStart, int bufferStride, int count) =>
        StridedCopy.Scatter(_window.Slice(windowOffset, count * itemSize), buffer, bufferStart, bufferStride, itemSize);
}
