namespace Osipy.MappedCache.Caching;

/// <summary>
/// The remote tier's side of one PERSISTENT fill in blocks: each block finished is saved there (with
/// the retention as its expiry), a block missing on this node is looked for there, and the saved
/// blocks are deleted once the entry is committed. A failure is counted and logged by the session
/// and never fails the fill: the block is simply computed, or not shared.
/// </summary>
internal sealed class RemoteFillBlocks(IRemoteTier tier, RemoteHealth health, EntryKey key, string fill, TimeSpan expiry, Action<string, EntryKey, Exception> failed)
{
    public void Save(int index, ReadOnlySpan<byte> block)
    {
        if (!health.ShouldTry)
        {
            return;
        }

        try
        {
            tier.SaveUnfinishedBlock(key.ResultType, key.Key, fill, index, block, expiry);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failed("save of an unfinished block", key, ex);
        }
    }

    public bool TryLoad(int index, Span<byte> destination)
    {
        if (!health.ShouldTry)
        {
            return false;
        }

        try
        {
            return tier.LoadUnfinishedBlock(key.ResultType, key.Key, fill, index, destination);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failed("load of an unfinished block", key, ex);
            return false;
        }
    }

    public void DeleteAll(int blocks) =>
        Try("delete of unfinished blocks", () => tier.DeleteUnfinishedBlocks(key.ResultType, key.Key, fill, blocks));

    private void Try(string operation, Action call)
    {
        if (!health.ShouldTry)
        {
            return;
        }

        try
        {
            call();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failed(operation, key, ex);
        }
    }
}
