namespace Osipy.MappedCache;

/// <summary>
/// Fills one block of a resumable <see cref="IntermediateCache.GetOrCreate{T}(string, string, ReadOnlySpan{int}, int, BlockFill{T}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>:
/// rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="rowCount"/> − 1
/// of the array's outer dimension.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="index">The block's index, 0 to blocks − 1.</param>
/// <param name="firstRow">The block's first index along the outer dimension.</param>
/// <param name="rowCount">How many outer indices the block covers.</param>
/// <param name="block">Exactly the block's elements (rowCount × the product of the inner dimensions, C order), zeroed, to fill in place.</param>
/// <remarks>
/// A block's result must depend only on its index and rows, never on other blocks or on which
/// process fills it: after a kill, the blocks not yet recorded are filled by the next caller, and
/// the committed array must equal an uninterrupted fill's. The span is valid only during the call.
/// </remarks>
public delegate void BlockFill<T>(int index, long firstRow, int rowCount, Span<T> block)
    where T : unmanaged;
