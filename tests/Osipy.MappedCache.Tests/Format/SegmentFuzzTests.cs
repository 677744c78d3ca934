using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Format;

/// <summary>
/// Random damage to a real segment (bit flips, truncations, extensions, other headers, scrambled
/// records). Every outcome is a counted miss, with the file set aside unless it claims a newer
/// format version, or a hit whose data is the original with only the damaged payload byte
/// different (payloads are not checksummed on open).
/// </summary>
public sealed class SegmentFuzzTests : IDisposable
{
    private const int Iterations = 3000;
    private const int PayloadStart = 4096;
    private const int NpyHeaderBytes = 128;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MutatedSegments_AreMissesOrFaithfulHits_NeverExceptions()
    {
        float[] original = TestData.Ramp(300);
        byte[] pristine;
        string path;
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t", "k", original, [3, 100], new Dictionary<string, object?> { ["units"] = "ms" });
            path = SegmentPaths.Single(writer, "t", "k");
            pristine = File.ReadAllBytes(path);
        }

        int payloadEnd = PayloadStart + (original.Length * sizeof(float));
        var random = new Random(20261125);
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxMemoryMb: 0));
        int misses = 0;
        for (int i = 0; i < Iterations; i++)
        {
            (byte[] mutated, int? flippedPayloadByte) = Mutate(pristine, payloadEnd, random);
            File.WriteAllBytes(path, mutated);

            using MappedArray<float>? view = reader.Get<float>("t", "k");

            if (view is null)
            {
                misses++;
                bool claimsNewerVersion = mutated.Length >= 24 && mutated.AsSpan(mutated.Length - 8).SequenceEqual("OSIPYEND"u8)
                    && System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(mutated.AsSpan(mutated.Length - 20)) > 1;
                Assert.True(File.Exists(path) == claimsNewerVersion, $"iteration {i}: a rejected file must be set aside, unless it claims a newer format");
                continue;
            }

            Assert.True(flippedPayloadByte.HasValue, $"iteration {i}: a file damaged outside its payload was accepted");
            byte[] expected = System.Runtime.InteropServices.MemoryMarshal.AsBytes(original.AsSpan()).ToArray();
            expected[flippedPayloadByte.Value - PayloadStart] = mutated[flippedPayloadByte.Value];
            Assert.Equal(expected, System.Runtime.InteropServices.MemoryMarshal.AsBytes(view.ReadOnlySpan).ToArray());
            reader.Invalidate("t", "k");
        }

        CacheStats stats = reader.GetStats();
        Assert.Equal(misses, stats.Misses);
        Assert.True(stats.CorruptSegments <= misses);
        Assert.True(misses > Iterations / 2);
    }

    private static (byte[] Bytes, int? FlippedPayloadByte) Mutate(byte[] pristine, int payloadEnd, Random random)
    {
        switch (random.Next(6))
        {
            case 4:
                // A different, well-formed NPY header: other dtype, other shape.
                byte[] replaced = (byte[])pristine.Clone();
                string[] descrs = ["<f8", "<i2", "|u1", ">f4", "<c16", "O"];
                string dict = $"{{'descr': '{descrs[random.Next(descrs.Length)]}', 'fortran_order': {(random.Next(2) == 0 ? "False" : "True")}, 'shape': ({random.Next(0, 1 << 20)}, {random.Next(0, 300)}), }}";
                byte[] text = System.Text.Encoding.ASCII.GetBytes(dict.PadRight(4086 - 1) + "\n");
                text.CopyTo(replaced, 10);
                return (replaced, null);
            case 5:
                // Random bytes over part of the record.
                byte[] record = (byte[])pristine.Clone();
                int start = random.Next(payloadEnd, record.Length);
                for (int i = start; i < Math.Min(record.Length, start + random.Next(1, 32)); i++)
                {
                    record[i] ^= (byte)random.Next(1, 256);
                }

                return (record, null);
            case 0:
                return (pristine[..random.Next(pristine.Length)], null);
            case 1:
                byte[] extra = new byte[random.Next(1, 5000)];
                random.NextBytes(extra);
                return ([.. pristine, .. extra], null);
            case 2:
                byte[] header = (byte[])pristine.Clone();
                int[] positions = [.. Enumerable.Range(0, NpyHeaderBytes).OrderBy(_ => random.Next()).Take(random.Next(1, 64))];
                foreach (int index in positions)
                {
                    header[index] ^= (byte)random.Next(1, 256); // distinct positions, nonzero masks: never a no-op
                }

                return (header, null);
            default:
                byte[] flipped = (byte[])pristine.Clone();
                int position = random.Next(flipped.Length);
                flipped[position] ^= (byte)(1 << random.Next(8));
                bool inPayload = position >= PayloadStart && position < payloadEnd;
                return (flipped, inPayload ? position : null);
        }
    }
}
