namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// The direction of a reorder: between the block buffer and a window of the C-order array, either
/// way (<see cref="ArrayReading"/> gathers into an <see cref="ArrayDestination"/>, <see cref="ArrayWriting"/>
/// scatters from an <see cref="ArraySource"/>). <see cref="FortranLayout.Walk"/> drives it.
/// </summary>
internal interface IWindowCopier
{
    /// <summary>Opens the array window <c>[offset, offset + length)</c>; the previous one is done with.</summary>
    void Open(long offset, int length);

    /// <summary>
    /// Copies <paramref name="count"/> elements between the open window, contiguous from
    /// <paramref name="windowOffset"/> (bytes), and buffer elements <c>bufferStart + t * bufferStride</c>.
    /// </summary>
    void Copy(int windowOffset, int bufferStart, int bufferStride, int count);
}
