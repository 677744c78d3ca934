
namespace Osipy.MappedCache.Files;

/// <summary>A temporary segment that a remote download writes into with pwrite, straight into the file (no whole-array buffer).</summary>
internal sealed class TempSegmentTarget(TempSegment file, long length) : RemoteSegmentTarget
{
    public override long Length => length;

    public override void Write(long offset, ReadOnlySpan<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - bytes.Length);
        file.Write(bytes, offset);
    }
}
