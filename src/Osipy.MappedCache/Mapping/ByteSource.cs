using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// The bytes of an array that a writer reads in pieces (a put's data, a zero-copy writer's
/// mapping, or a C caller's buffer), however large: no span longer than one piece is formed, so
/// arrays past 2 GB are written without a copy. Safe code sees only bounds-checked spans.
/// </summary>
/// <remarks>
/// Valid only inside the <c>With</c> call that made it (or while its owner keeps the memory
/// alive, for <see cref="FromNative"/> and <see cref="MappingLease.AsByteSource"/>); it is
/// invalidated after, and every later access throws.
/// </remarks>
internal sealed unsafe class ByteSource
{
    private byte* _start;

    private ByteSource(byte* start, long length)
    {
        _start = start;
        Length = length;
    }

    public long Length { get; }

    /// <summary>Runs <paramref name="action"/> over the bytes of <paramref name="data"/>, pinned meanwhile.</summary>
    public static void With<T>(ReadOnlySpan<T> data, Action<ByteSource> action)
        where T : unmanaged
    {
        fixed (T* pointer = data)
        {
            Run(new ByteSource((byte*)pointer, (long)data.Length * sizeof(T)), action);
        }
    }

    /// <summary>Runs <paramref name="action"/> over the elements of <paramref name="array"/> (any rank, pinned meanwhile).</summary>
    public static void With(Array array, int itemSize, Action<ByteSource> action)
    {
        GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            Run(new ByteSource((byte*)handle.AddrOfPinnedObject(), checked(array.LongLength * itemSize)), action);
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Memory a C caller owns and keeps alive for the call (the native exports).</summary>
    public static ByteSource FromNative(void* address, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (address is null && length > 0)
        {
            throw new ArgumentNullException(nameof(address), "The data pointer is NULL.");
        }

        return new ByteSource((byte*)address, length);
    }

    internal static ByteSource OverMapping(byte* start, long length) => new(start, length);

    /// <summary><paramref name="length"/> bytes from <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the source.</exception>
    /// <exception cref="ObjectDisposedException">The source is no longer valid.</exception>
    public ReadOnlySpan<byte> Slice(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_start is null && Length > 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - length);
        return new ReadOnlySpan<byte>(_start + offset, length);
    }

    internal void Invalidate() => _start = null;

    private static void Run(ByteSource source, Action<ByteSource> action)
    {
        try
        {
            action(source);
        }
        finally
        {
            source.Invalidate();
        }
    }
}
