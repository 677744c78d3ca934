using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// A counter that many threads increment without sharing a cache line: one cell per processor
/// (by <see cref="Thread.GetCurrentProcessorId"/>), each on its own 128 bytes, summed on read.
/// For counts bumped on every hit, where one shared Interlocked counter would make the threads'
/// hits contend for a single line.
/// </summary>
/// <remarks>Thread-safe. A read racing increments sees each one or not, never a torn value.</remarks>
internal sealed class StripedCounter
{
    private readonly Cell[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int cells = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _cells = new Cell[cells];
        _mask = cells - 1;
    }

    public void Increment() => Interlocked.Increment(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value);

    public long Read()
    {
        long total = 0;
        for (int i = 0; i < _cells.Length; i++)
        {
            total += Volatile.Read(ref _cells[i].Value);
        }

        return total;
    }

    // 128 bytes: a cache line and the adjacent one the prefetcher pulls in with it. The value sits
    // in the middle, so that the first cell's is never on the line of the array's length, which
    // every increment reads for its bounds check: writes to it would make every other thread's
    // increments miss (measured: hits from two threads ran no faster than from one).
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Cell
    {
        [FieldOffset(64)]
        public long Value;
    }
}
