using CommunityToolkit.HighPerformance;
using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;

namespace Osipy.MappedCache;

/// <summary>
/// A new array being computed in place: its views point straight into the new segment file's
/// mapping (shared, writable), so a producer fills the result without a managed array or a copy.
/// <see cref="Commit"/> seals and publishes it; disposing without committing abandons it.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <para>The segment's space is reserved when the writer is created, so a full disk fails then,
/// with an <see cref="IOException"/>, never as a fault while writing through the views.</para>
/// <para>Nothing is visible to readers before <see cref="Commit"/>; a process killed while holding a
/// writer leaves only a temporary file, which the next session on the directory reclaims.</para>
/// <para>Not thread-safe as an object (commit and dispose from one thread); the views may be
/// filled from many threads at once, as any array may. Views taken from the writer are invalid
/// after <see cref="Commit"/> or <see cref="Dispose"/>.</para>
/// </remarks>
public sealed class MappedArrayWriter<T> : IDisposable, IUntypedWriter
    where T : unmanaged
{
    private readonly CacheSession _session;
    private bool _finished;

    internal MappedArrayWriter(CacheSession session, SegmentWriter segment, SegmentMapping mapping, MappedArray<T> view)
    {
        _session = session;
        Segment = segment;
        Mapping = mapping;
        View = view;
    }

    /// <summary>Dimensions, C order.</summary>
    public IReadOnlyList<int> Shape => View.Shape;

    /// <summary>Number of elements.</summary>
    public long Length => View.Length;

    /// <summary>Rows of the 2D view: the product of all dimensions but the last.</summary>
    public long RowCount => View.RowCount;

    /// <summary>Columns of the 2D view: the last dimension.</summary>
    public int RowLength => View.RowLength;

    /// <summary>The entry as it will be published (its creation time is the writer's).</summary>
    public CacheEntry Entry => View.Entry;

    /// <summary>All elements, to fill in place. Zero until written.</summary>
    /// <exception cref="InvalidOperationException">More than <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="ObjectDisposedException">Committed or disposed.</exception>
    public Span<T> Span => View.Span;

    /// <summary>All elements as <see cref="Memory{T}"/>. A <see cref="System.Buffers.MemoryHandle"/> pinned from it must be disposed before <see cref="Commit"/>.</summary>
    public Memory<T> Memory => View.Memory;

    internal SegmentWriter Segment { get; }

    internal SegmentMapping Mapping { get; }

    internal MappedArray<T> View { get; }

    /// <summary><paramref name="length"/> elements from flat index <paramref name="start"/>.</summary>
    public Span<T> GetSpan(long start, int length) => View.GetSpan(start, length);

    /// <summary>Row <paramref name="row"/> of the 2D view.</summary>
    public Span<T> GetRowSpan(long row) => View.GetRowSpan(row);

    /// <summary>The whole array as rows x columns (voxels x time points for a DCE series).</summary>
    public Span2D<T> AsSpan2D() => View.AsSpan2D();

    /// <summary><paramref name="rowCount"/> rows from <paramref name="firstRow"/>.</summary>
    public Span2D<T> AsSpan2D(long firstRow, int rowCount) => View.AsSpan2D(firstRow, rowCount);

    /// <summary>The whole array as <see cref="Memory2D{T}"/>.</summary>
    public Memory2D<T> AsMemory2D() => View.AsMemory2D();

    /// <summary>
    /// Seals the array (checksum and record), publishes it atomically under its key, replacing any
    /// entry there, and returns a read lease on exactly the bytes this writer published. For a
    /// TRANSIENT result type nothing is published and the lease is over the writer's private,
    /// already unlinked file.
    /// </summary>
    /// <returns>A lease the caller must dispose.</returns>
    /// <exception cref="InvalidOperationException">Memory taken from <see cref="Memory"/> is still pinned: dispose the
    /// <see cref="System.Buffers.MemoryHandle"/> first (the writer stays usable), so nothing can write to the published file.</exception>
    /// <exception cref="ObjectDisposedException">Already committed or disposed.</exception>
    /// <exception cref="IOException">The segment cannot be published; the writer is abandoned.</exception>
    public MappedArray<T> Commit()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (Mapping.LeaseCount > 1)
        {
            throw new InvalidOperationException(
                $"The writer of '{Entry.Key}' ({Entry.ResultType}) has memory pinned ({Mapping.LeaseCount - 1} MemoryHandle(s) from Memory.Pin()); dispose them before Commit, so nothing can write to the published segment.");
        }

        _finished = true;
        bool keepView = Entry.Policy == RetentionPolicy.Transient;
        try
        {
            return _session.Commit(this);
        }
        catch
        {
            keepView = false;
            throw;
        }
        finally
        {
            ReleaseAll(keepView);
        }
    }

    MappedArray IUntypedWriter.View => View;

    MappedArray IUntypedWriter.CommitUntyped() => Commit();

    /// <summary>Abandons an uncommitted array: the views become invalid and the temporary file is removed.</summary>
    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            ReleaseAll(keepView: false);
        }
    }

    /// <summary>Drops the shared, writable mapping (and the view over it) before publication.</summary>
    internal void ReleaseMapping()
    {
        Mapping.LetGoOfShared(Segment.File.Handle);
        View.Dispose();
        Mapping.Dispose();
    }

    /// <summary>
    /// The one place the writer's three resources go: view, mapping, then file (removed unless
    /// published). Memory kept past the writer (the C ABI's osipy_cache_keep_memory) becomes private first.
    /// </summary>
    private void ReleaseAll(bool keepView)
    {
        try
        {
            Mapping.LetGoOfShared(Segment.File.Handle);
        }
        catch (IOException)
        {
            // Nothing was published from this writer's file (it is removed below, or a compressed
            // copy was written from it): kept memory still writes only to the doomed file.
        }

        if (!keepView)
        {
            View.Dispose();
        }

        Mapping.Dispose();
        Segment.Dispose();
    }
}
