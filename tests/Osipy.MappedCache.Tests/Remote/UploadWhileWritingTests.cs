using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// A PERSISTENT put uploads while it writes: the tier must only ever read bytes the writer has
/// made final, must not reach the record (and so cannot commit) before the local publication,
/// and a put that fails midway must end the upload uncommitted without leaving a read in flight.
/// </summary>
public sealed class UploadWhileWritingTests : IDisposable
{
    private const int ChunkBytes = 1024 * 1024;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("osipy-upload-while-writing-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void TheTierReadsOnlyFinalBytes_AndTheRecordOnlyAfterThePublication_AndGetsTheWholeFile()
    {
        float[] data = TestData.Ramp(1_500_000); // 6 MB: six 1 MiB chunks, the last holding the record
        using SegmentWriter writer = SegmentWriter.Create(_directory.FullName, Draft(data.Length));
        var tier = new RecordingTier();
        long advanced = 0;
        using (var upload = UploadWhileWriting.Start(tier, new EntryKey("t1_map", "k"), writer))
        {
            writer.Progress = writtenThrough =>
            {
                Volatile.Write(ref advanced, writtenThrough); // before the upload may read up to it
                upload.Advance(writtenThrough);
            };
            tier.Advanced = () => Volatile.Read(ref advanced);
            ByteSource.With<float>(data, writer.Append);
            SegmentRecord record = writer.Seal();
            tier.Published = true; // where the put publishes the file locally
            upload.Complete(record.WriteStamp);
            Assert.True(upload.Finish());
        }

        Assert.Equal(RemoteFile(writer), tier.Received);
        Assert.Equal(6, tier.Slices.Count);
        Assert.All(tier.Slices[..^1], slice => Assert.True(slice.End <= slice.WrittenThroughThen, $"read up to {slice.End} while only {slice.WrittenThroughThen} bytes were final"));
        Assert.True(tier.Slices[^1].AfterPublication, "the record was read before the local publication");
        Assert.StartsWith(writer.Draft.SessionId, tier.Stamp);
    }

    [Fact]
    public void APutThatFailsBeforeItsBytesAreWritten_EndsTheUploadUncommitted()
    {
        using SegmentWriter writer = SegmentWriter.Create(_directory.FullName, Draft(1_000_000));
        var tier = new RecordingTier();
        var upload = UploadWhileWriting.Start(tier, new EntryKey("t1_map", "k"), writer);
        Assert.True(tier.Asked.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the upload never asked for a chunk");

        upload.Dispose(); // the put failed: nothing was written

        Assert.IsType<OperationCanceledException>(tier.Failure);
        Assert.False(tier.Committed);
        Assert.Empty(tier.Slices);
    }

    private static SegmentDraft Draft(long elements) => new()
    {
        Kind = SegmentKind.SingleArray,
        Key = "k",
        ResultType = "t1_map",
        Policy = RetentionPolicy.Persistent,
        CreatedUnixMilliseconds = 1,
        SessionId = "session-1",
        MetadataJson = "{}",
        Arrays = [new ArrayDraft(string.Empty, DType.Float32, [elements])],
    };

    private static byte[] RemoteFile(SegmentWriter writer)
    {
        // The writer holds the file exclusively: read it through the writer's own descriptor.
        var bytes = new byte[RandomAccess.GetLength(writer.File.Handle)];
        Assert.Equal(bytes.Length, RandomAccess.Read(writer.File.Handle, bytes, 0));
        return bytes;
    }

    private sealed record SliceSeen(long End, long WrittenThroughThen, bool AfterPublication);

    /// <summary>A tier that reads the segment chunk by chunk, as RedisRemoteTier does, and records what it saw when.</summary>
    private sealed class RecordingTier : IRemoteTier
    {
        public Func<long> Advanced { get; set; } = () => 0;

        public volatile bool Published;

        public List<SliceSeen> Slices { get; } = [];

        public byte[] Received { get; private set; } = [];

        public string Stamp { get; private set; } = string.Empty;

        public Exception? Failure { get; private set; }

        public bool Committed { get; private set; }

        public ManualResetEventSlim Asked { get; } = new();

        public bool Upload(string resultType, string key, RemoteSegmentSource segment)
        {
            var received = new byte[segment.Length];
            try
            {
                for (long offset = 0; offset < segment.Length; offset += ChunkBytes)
                {
                    int length = (int)Math.Min(ChunkBytes, segment.Length - offset);
                    Asked.Set();
                    ReadOnlyMemory<byte> slice = segment.Slice(offset, length);
                    Slices.Add(new SliceSeen(offset + length, Advanced(), Published));
                    slice.Span.CopyTo(received.AsSpan((int)offset));
                }

                Stamp = segment.Stamp;
            }
            catch (OperationCanceledException ex)
            {
                Failure = ex;
                throw;
            }

            Received = received;
            Committed = true;
            return true;
        }

        public RemoteEntry? Find(string resultType, string key) => null;

        public bool Download(RemoteEntry entry, RemoteSegmentTarget target) => false;

        public void Remove(string resultType, string key)
        {
        }

        public void Clear(string? resultType)
        {
        }

        public IReadOnlyList<RemoteKey> RemoveTagged(string tag) => [];

        public IDisposable? TryLease(string resultType, string key, string node) => null;

        public IReadOnlyList<RemoteKeyState> Check(IReadOnlyList<RemoteKey> keys) => [.. keys.Select(_ => new RemoteKeyState(RemoteKeyStatus.Unknown, null))];

        public void Discard(RemoteEntry entry)
        {
        }

        public RemoteChangeLog ReadChanges(string? after) => new("0", Complete: true, []);

        public IDisposable Subscribe(Action<RemoteChange> onChange) => new MemoryStream();
    }
}
