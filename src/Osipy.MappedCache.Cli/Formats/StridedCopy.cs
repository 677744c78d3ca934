using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>Copies elements between a contiguous run and every <c>stride</c>-th element of a buffer.</summary>
internal static class StridedCopy
{
    /// <summary>Sets element <c>t</c> of <paramref name="run"/> to element <c>start + t * stride</c> of <paramref name="buffer"/>.</summary>
    public static void Gather(ReadOnlySpan<byte> buffer, int start, int stride, Span<byte> run, int itemSize)
    {
        switch (itemSize)
        {
            case 1: Gather<byte>(buffer, start, stride, run); break;
            case 2: Gather<ushort>(buffer, start, stride, run); break;
            case 4: Gather<uint>(buffer, start, stride, run); break;
            case 8: Gather<ulong>(buffer, start, stride, run); break;
            default:
                for (int t = 0, i = start; t * itemSize < run.Length; t++, i += stride)
                {
                    buffer.Slice(i * itemSize, itemSize).CopyTo(run[(t * itemSize)..]);
                }

                break;
        }
    }

    /// <summary>Sets element <c>start + t * stride</c> of <paramref name="buffer"/> to element <c>t</c> of <paramref name="run"/>.</summary>
    public static void Scatter(ReadOnlySpan<byte> run, Span<byte> buffer, int start, int stride, int itemSize)
    {
        switch (itemSize)
        {
            case 1: Scatter<byte>(run, buffer, start, stride); break;
            case 2: Scatter<ushort>(run, buffer, start, stride); break;
            case 4: Scatter<uint>(run, buffer, start, stride); break;
            case 8: Scatter<ulong>(run, buffer, start, stride); break;
            default:
                for (int t = 0, i = start; t * itemSize < run.Length; t++, i += stride)
                {
                    run.Slice(t * itemSize, itemSize).CopyTo(buffer[(i * itemSize)..]);
                }

                break;
        }
    }

    private static void Gather<T>(ReadOnlySpan<byte> buffer, int start, int stride, Span<byte> run)
        where T : unmanaged
    {
        ReadOnlySpan<T> from = MemoryMarshal.Cast<byte, T>(buffer);
        Span<T> to = MemoryMarshal.Cast<byte, T>(run);
        for (int t = 0, i = start; t < to.Length; t++, i += stride)
        {
            to[t] = from[i];
        }
    }

    private static void Scatter<T>(ReadOnlySpan<byte> run, Span<byte> buffer, int start, int stride)
        where T : unmanaged
    {
        ReadOnlySpan<T> from = MemoryMarshal.Cast<byte, T>(run);
        Span<T> to = MemoryMarshal.Cast<byte, T>(buffer);
        for (int t = 0, i = start; t < from.Length; t++, i += stride)
        {
            to[i] = from[t];
        }
    }
}
