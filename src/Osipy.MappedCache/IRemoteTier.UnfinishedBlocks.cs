namespace Osipy.MappedCache;

/// <summary>The blocks of a fill that has not committed yet, kept by the tier so another node can resume it.</summary>
/// <remarks>
/// <para>A PERSISTENT <see cref="IntermediateCache.GetOrCreate{T}(string, string, ReadOnlySpan{int}, int, BlockFill{T}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>
/// with a remote tier saves each block it finishes; a node that takes over the key's lease
/// after the filler died loads the blocks it does not have, and the committing node deletes them.
/// <c>fill</c> in each member names one fill exactly (its type, key, shape, element
/// type and block count, digested), so blocks of another shape are never mixed in.</para>
/// <para>The members have empty default implementations (a tier without them resumes only
/// within a node). Like every member, they throw on failure; the cache logs, counts and carries on.</para>
/// </remarks>
public partial interface IRemoteTier
{
    /// <summary>Stores block <paramref name="index"/> of the unfinished <paramref name="fill"/>, expiring after <paramref name="expiry"/> unless stored again.</summary>
    /// <param name="resultType">The entry's result type.</param>
    /// <param name="key">The entry's key.</param>
    /// <param name="fill">Names the fill (hex digits).</param>
    /// <param name="index">The block's index.</param>
    /// <param name="block">The block's bytes.</param>
    /// <param name="expiry">How long the block is kept (<see cref="CacheConfig.UnfinishedFillRetention"/>).</param>
    void SaveUnfinishedBlock(string resultType, string key, string fill, int index, ReadOnlySpan<byte> block, TimeSpan expiry)
    {
    }

    /// <summary>
    /// Writes the stored block <paramref name="index"/> of <paramref name="fill"/> into
    /// <paramref name="destination"/> and returns true, if one is stored with exactly its length
    /// and passes its check (authenticated with a shared secret); false, with nothing promised
    /// about <paramref name="destination"/>, otherwise.
    /// </summary>
    /// <param name="resultType">The entry's result type.</param>
    /// <param name="key">The entry's key.</param>
    /// <param name="fill">Names the fill (hex digits).</param>
    /// <param name="index">The block's index.</param>
    /// <param name="destination">Where the block's bytes go.</param>
    bool LoadUnfinishedBlock(string resultType, string key, string fill, int index, Span<byte> destination) => false;

    /// <summary>Deletes the stored blocks 0 to <paramref name="blocks"/> − 1 of <paramref name="fill"/> (the entry is committed).</summary>
    /// <param name="resultType">The entry's result type.</param>
    /// <param name="key">The entry's key.</param>
    /// <param name="fill">Names the fill (hex digits).</param>
    /// <param name="blocks">The fill's block count.</param>
    void DeleteUnfinishedBlocks(string resultType, string key, string fill, int blocks)
    {
    }
}
