namespace Osipy.MappedCache.Cli.Formats;

/// <summary>Reading: buffer elements gathered into destination windows.</summary>
internal ref struct GatherIntoWindows(ArrayDestination destination, byte[] buffer, int itemSize) : IWindowCopier
{
    private Span<byte> _window;

    public void Open(long offset, int length) => _window = destination.Window(offset, length);

    public readonly void Copy(int windowOffset, int bufferStart, int bufferStride, int count) =>
        StridedCopy.Gather(buffer, bufferStart, bufferStride, _window.Slice(windowOffset, count * itemSize), itemSize);
}
