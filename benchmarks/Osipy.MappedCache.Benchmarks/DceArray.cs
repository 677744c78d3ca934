using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Osipy.MappedCache.Cli.Synthesis;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// The demo's synthetic DCE concentration series (an ellipsoidal body with exact zeros outside,
/// per-voxel enhancement curves, Gaussian noise) as raw float32 bytes in a pinned array, so that
/// its address can be handed to the codec.
/// </summary>
internal sealed class DceArray
{
    public DceArray(VolumeSize size)
    {
        Size = size;
        float[] values = new SyntheticDce(new Phantom(size)).Concentration();
        Bytes = GC.AllocateUninitializedArray<byte>(values.Length * sizeof(float), pinned: true);
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(Bytes);
    }

    public VolumeSize Size { get; }

    /// <summary>The series, C order [x, y, z, t], little-endian float32; on the pinned object heap.</summary>
    public byte[] Bytes { get; }

    public nint Address => Marshal.UnsafeAddrOfPinnedArrayElement(Bytes, 0);

    /// <summary>The SHA-256 of the bytes, to check that a peer script compresses the same array.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes));

    /// <summary>Parses <c>XxYxZxT</c> the way the demo does.</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is not a valid size.</exception>
    public static VolumeSize ParseSize(string text) =>
        VolumeSize.TryParse(text, out VolumeSize size, out string? error) ? size : throw new ArgumentException(error, nameof(text));

    /// <summary>Writes the series as a float32 <c>.npy</c> of shape [x, y, z, t], which NumPy loads.</summary>
    public void WriteNpy(string path)
    {
        var header = new byte[NpyHeader.Size];
        NpyHeader.Write(header, DType.Float32, [Size.X, Size.Y, Size.Z, Size.T]);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(header);
        file.Write(Bytes);
    }
}
