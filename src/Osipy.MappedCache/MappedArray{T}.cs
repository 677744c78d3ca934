using CommunityToolkit.HighPerformance;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

/// <summary>
/// A zero-copy view of a cached array: the elements are read straight from the mapped segment.
/// </summary>
/// <typeparam name="T">The element type stored (float for float32, and so on).</typeparam>
/// <remarks>
/// <para>2D views treat the array as rows x columns where columns is the last dimension and rows is
/// the product of the others: voxels x time points for a 4D DCE series.</para>
/// <para>Arrays of more than <see cref="int.MaxValue"/> elements are read in slices
/// (<see cref="GetSpan(long, int)"/>, <see cref="GetRowSpan"/>, <see cref="AsSpan2D(long, int)"/>); the whole-array
/// <see cref="Span"/> and <see cref="Memory"/> then throw <see cref="InvalidOperationException"/>.</para>
/// <para>See <see cref="MappedArray"/> for lifetime and copy-on-write rules.</para>
/// </remarks>
public sealed class MappedArray<T> : MappedArray
    where T : unmanaged
{
    private MappedMemoryManager<T>? _manager;

    /// <param name="leased">The mapping, with a lease reference already taken that this array now owns.</param>
    /// <param name="entry">The entry the array belongs to.</param>
    /// <param name="array">Where the array lies in the segment.</param>
    internal MappedArray(SegmentMapping leased, CacheEntry entry, ArrayRecord array)
        : base(leased, entry, array)
    {
        RowLength = array.Shape is [.., long last] ? (int)last : 1;
    }

    /// <inheritdoc />
    public override Type ElementType => typeof(T);

    /// <summary>Rows of the 2D view: the product of all dimensions but the last.</summary>
    public long RowCount
    {
        get
        {
            long[] shape = Record.Shape;
            return RowLength == 0 ? SegmentLayout.ElementCount(shape.AsSpan(0, Math.Max(0, shape.Length - 1))) : Length / RowLength;
        }
    }

    /// <summary>Columns of the 2D view: the last dimension (1 for a 0-d array).</summary>
    public int RowLength { get; } // an int beside the base's disposed flag: no larger an object

    /// <summary>All elements, writable (copy-on-write).</summary>
    /// <exception cref="InvalidOperationException">More than <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="ObjectDisposedException">The lease is disposed.</exception>
    public Span<T> Span => SpanAt<T>(PayloadOffset, WholeLength());

    /// <summary>All elements, read-only.</summary>
    /// <exception cref="InvalidOperationException">More than <see cref="int.MaxValue"/> elements.</exception>
    public ReadOnlySpan<T> ReadOnlySpan => Span;

    /// <summary>All elements as <see cref="Memory{T}"/>, for async code and APIs that take Memory.</summary>
    /// <exception cref="InvalidOperationException">More than <see cref="int.MaxValue"/> elements.</exception>
    public Memory<T> Memory => Manager().Memory;

    /// <summary>All elements as <see cref="ReadOnlyMemory{T}"/>.</summary>
    public ReadOnlyMemory<T> ReadOnlyMemory => Memory;

    /// <summary><paramref name="length"/> elements from flat index <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the array.</exception>
    public Span<T> GetSpan(long start, int length)
    {
        CheckRange(start, length);
        return SpanAt<T>(ElementOffset(start), length);
    }

    /// <summary>Like <see cref="GetSpan(long, int)"/>, as <see cref="Memory{T}"/>.</summary>
    public Memory<T> GetMemory(long start, int length)
    {
        CheckRange(start, length);
        return Length <= int.MaxValue
            ? Memory.Slice((int)start, length)
            : new MappedMemoryManager<T>(this, ElementOffset(start), length).Memory;
    }

    /// <summary>Row <paramref name="row"/> of the 2D view: one voxel's time curve for a DCE series.</summary>
    public Span<T> GetRowSpan(long row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        if (RowLength == 0)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        }
        else if (Math.BigMul(row, RowLength, out long start) != 0 || start < 0 || start > Length - RowLength)
        {
            // row >= RowCount, checked with a multiplication: RowCount divides, and this runs once per voxel.
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The array has {RowCount} rows.");
        }

        return GetSpan(row * RowLength, RowLength);
    }

    /// <summary>The whole array as rows x columns.</summary>
    /// <exception cref="InvalidOperationException">More than <see cref="int.MaxValue"/> rows: use <see cref="AsSpan2D(long, int)"/>.</exception>
    public Span2D<T> AsSpan2D() => AsSpan2D(0, WholeRowCount());

    /// <summary><paramref name="rowCount"/> rows starting at <paramref name="firstRow"/>, as a 2D view.</summary>
    public Span2D<T> AsSpan2D(long firstRow, int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstRow, RowCount - rowCount);
        ref T first = ref ReferenceAt<T>(ElementOffset(firstRow * RowLength), (long)rowCount * RowLength);
        return Span2D<T>.DangerousCreate(ref first, rowCount, RowLength, 0);
    }

    /// <summary>The whole array as read-only rows x columns.</summary>
    public ReadOnlySpan2D<T> AsReadOnlySpan2D() => AsSpan2D();

    /// <summary>The whole array as <see cref="Memory2D{T}"/>.</summary>
    /// <exception cref="InvalidOperationException">More than <see cref="int.MaxValue"/> elements.</exception>
    public Memory2D<T> AsMemory2D() => new(Manager(), WholeRowCount(), RowLength);

    /// <summary>The whole array as <see cref="ReadOnlyMemory2D{T}"/>.</summary>
    public ReadOnlyMemory2D<T> AsReadOnlyMemory2D() => AsMemory2D();

    private MappedMemoryManager<T> Manager() =>
        _manager ??= new MappedMemoryManager<T>(this, PayloadOffset, WholeLength());

    private int WholeLength() =>
        Length <= int.MaxValue
            ? (int)Length
            : throw new InvalidOperationException(
                $"'{Entry.Key}' has {Length} elements, more than one span can hold; use GetSpan(start, length), GetRowSpan(row) or AsSpan2D(firstRow, rowCount).");

    private int WholeRowCount() =>
        RowCount <= int.MaxValue
            ? (int)RowCount
            : throw new InvalidOperationException($"'{Entry.Key}' has {RowCount} rows; use AsSpan2D(firstRow, rowCount).");

    private long ElementOffset(long index) => PayloadOffset + (index * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());

    private void CheckRange(long start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Length - length);
    }
}
