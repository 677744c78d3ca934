namespace Osipy.MappedCache.Mapping;

/// <summary>A published segment's bytes for <see cref="IRemoteTier.Upload"/>: slices of its mapping as <see cref="ReadOnlyMemory{T}"/>, no copy.</summary>
/// <remarks>Valid while <paramref name="lease"/> lives (the length of the upload call).</remarks>
internal sealed class MappedSegmentSource(MappingLease lease, long length, string stamp, IReadOnlyList<string> tags) : RemoteSegmentSource
{
    public override long Length => length;

    public override string Stamp => stamp;

    public override IReadOnlyList<string> Tags => tags;

    public override ReadOnlyMemory<byte> Slice(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - length);
        return new MappedMemoryManager<byte>(lease, offset, length).Memory;
    }
}
