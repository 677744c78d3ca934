using System.Text;
using Osipy.MappedCache.Provenance;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>
/// The provenance encoding (version 1) byte for byte: every test vector of docs/FORMAT.md
/// ("Provenance keys") and the fit_t1 key, which Python's tests pin too. A failure here means the
/// encoding changed: that is deliberate only with a new version.
/// </summary>
public sealed class EncodingGoldenTests
{
    public static TheoryData<string, object?, string, string> Vectors => new()
    {
        { "None", null, "N", "8ce86a6ae65d3692e7305e2c58ac62eebd97d3d943e093f577da25c36988246b" },
        { "True", true, "T", "e632b7095b0bf32c260fa4c539e9fd7b852d0de454e9be26f24d0d6f91d069d3" },
        { "3", 3, "i3;", "041625c207dd9ad620af34547f9e374ffa0c0e7494d00d971303bbdb30565c4d" },
        { "-7", -7L, "i-7;", "70b7f8ee6275740d7d091580f3b8bc4800f2b16b412fa3b49c953bcac96a939e" },
        { "0.1", 0.1, "f3fb999999999999a", "89691f235d3c5a003a68a674b198b47fe9938fafb41eb214f08f0abf9f8b93e7" },
        { "-0.0", -0.0, "f8000000000000000", "41a0dc27b172e64dd87e093a1791ce76e267eba82873c7edba3d88736f52e7a9" },
        { "float32 0.1", 0.1f, "f3fb99999a0000000", "8e97b2dfa4276a927aa2840841dcd961f5c4337da925235035071c6226dc8eb3" },
        { "flip α", "flip α", "s7:flip α", "aaecf959754be4dd3d538e0ade6f0f2b5a84790c9d144227a3e6677e68dedc79" },
        { "[2, 5, 10, 15]", new[] { 2, 5, 10, 15 }, "l4:i2;i5;i10;i15;", "08da150834e72d9fe02a3ba746e79b183239bc3f8c0d55be7740045cc9d8f747" },
        { "(2.0, 5.0)", (2.0, 5.0), "l2:f4000000000000000f4014000000000000", "90a4728dac72aaf4233dd4e2ce2bc4f53909c5023b47d0ba345678d26b998052" },
        {
            "{b: 1, a: [None, x]}",
            new Dictionary<string, object?> { ["b"] = 1, ["a"] = new object?[] { null, "x" } },
            "d2:s1:al2:Ns1:xs1:bi1;",
            "bae5e14f1d086df185cfff5df73c9672f2cf47a1257932509a679455cc6c7158"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EachVector_EncodesToItsBytes_AndDigest(string name, object? value, string bytes, string digest)
    {
        byte[] encoded = ProvenanceEncoding.Encode(value, name);

        Assert.Equal(bytes, Encoding.UTF8.GetString(encoded));
        Assert.Equal(digest, ProvenanceEncoding.Sha256Hex(encoded));
    }

    [Fact]
    public void AFloat32Array_ByContent_HasTheVectorsDigest()
    {
        ProvenanceKey key = ProvenanceKey.For("f").Array<float>("m", [1f, 2f, 3f, 4f], [2, 2]).Build();

        Assert.Equal("0d0cb04465f32a47562905e6fee45097b2426fec88d7c34c10510cdd263c0092", key.Components["argument m"].Digest);
    }

    [Fact]
    public void TheFitT1Key_IsPinned()
    {
        ProvenanceKey key = ProvenanceKey.For("fit_t1").Argument("flip_angles", new[] { 2, 5, 10, 15 }).Version("2").Build();

        Assert.Equal("fit_t1@d6c6fb62e114538a17b5aa053fbcb861", key.Key);
        Assert.Equal("fit_t1@d6c6fb62e114538a17b5aa053fbcb861", key.ToString());
        Assert.Equal("fit_t1", key.Function);
        Assert.Equal(["argument flip_angles", "version"], key.Components.Keys);
        Assert.Equal("[2, 5, 10, 15]", key.Components["argument flip_angles"].Text);
    }
}
