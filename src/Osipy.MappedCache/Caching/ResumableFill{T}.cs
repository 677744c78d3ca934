using System.Runtime.InteropServices;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// One call's fill in blocks (docs/DESIGN.md, "Fills that resume"): blocks an earlier, killed or
/// failed, fill recorded are read back from the key's unfinished file; only the others are
/// computed, each recorded durably as soon as it is done (and, PERSISTENT with a remote tier,
/// saved there too, where a node taking over after this one died finds it). For a TRANSIENT type (no store) the
/// blocks are simply filled in order and nothing is recorded.
/// </summary>
/// <remarks>
/// <see cref="Run"/> is the fill GetOrCreate calls under the key's node lock (and, with a remote
/// tier, the cluster's lease), so one caller at a time uses the file. The file stays open and
/// locked until <see cref="Dispose"/>; <see cref="Committed"/> removes it once the entry is
/// published, before the lock goes. A fill that throws leaves the recorded blocks for the next caller.
/// </remarks>
internal sealed class ResumableFill<T> : IDisposable
    where T : unmanaged
{
    private readonly SegmentStore? _store;
    private readonly EntryKey _key;
    private readonly UnfinishedFillHeader _header;
    private readonly BlockFill<T> _fill;
    private readonly Func<MappedArrayWriter<T>, IDisposable?>? _around;
    private readonly RemoteFillBlocks? _remote;
    private UnfinishedFillFile? _file;

    public ResumableFill(SegmentStore? store, EntryKey key, UnfinishedFillHeader header, BlockFill<T> fill, Func<MappedArrayWriter<T>, IDisposable?>? around, RemoteFillBlocks? remote)
    {
        _store = store;
        _key = key;
        _header = header;
        _fill = fill;
        _around = around;
        _remote = remote;
    }

    private FillBlocks Blocks => _header.Blocks;

    public void Run(MappedArrayWriter<T> writer)
    {
        using IDisposable? around = _around?.Invoke(writer);
        if (_store is null)
        {
            for (int i = 0; i < Blocks.Count; i++)
            {
                FillOne(writer, i);
            }

            return;
        }

        _file ??= UnfinishedFillFile.Open(UnfinishedFills.PathOf(_store, _key.ResultType, _key.Key), _header);
        var missing = new List<int>();
        for (int i = 0; i < Blocks.Count; i++)
        {
            Span<byte> block = MemoryMarshal.AsBytes(SpanOf(writer, i));
            if (_file.Resumed && _file.TryRead(i, block))
            {
                continue;
            }

            if (_remote?.TryLoad(i, block) == true)
            {
                _file.Record(i, block); // another node's block, now this node's too
                continue;
            }

            block.Clear(); // a block read back but found torn is computed from zeros, as a new one
            missing.Add(i);
        }

        foreach (int i in missing)
        {
            ReadOnlySpan<byte> block = MemoryMarshal.AsBytes(FillOne(writer, i));
            _file.Record(i, block);
            _remote?.Save(i, block);
        }
    }

    /// <summary>The entry is published: its unfinished file, and the blocks the remote tier kept of it, are no longer needed.</summary>
    public void Committed()
    {
        if (_file is not null)
        {
            _file.Delete();
            _remote?.DeleteAll(Blocks.Count);
        }
    }

    public void Dispose() => _file?.Dispose();

    private Span<T> FillOne(MappedArrayWriter<T> writer, int index)
    {
        Span<T> block = SpanOf(writer, index);
        _fill(index, Blocks.FirstRow(index), Blocks.RowCount(index), block);
        return block;
    }

    private Span<T> SpanOf(MappedArrayWriter<T> writer, int index) =>
        writer.GetSpan(Blocks.FirstElement(index), Blocks.ElementCount(index));
}
