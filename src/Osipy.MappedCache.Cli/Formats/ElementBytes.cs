using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>In-place fix-ups of elements as stored in a file: byte order, and NumPy booleans.</summary>
internal static class ElementBytes
{
    /// <summary>Reverses the byte order of every <paramref name="unit"/>-byte unit (1, 2, 4 or 8; 1 does nothing).</summary>
    public static void Swap(Span<byte> bytes, int unit)
    {
        switch (unit)
        {
            case 1:
                break;
            case 2:
                Span<ushort> halves = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(halves, halves);
                break;
            case 4:
                Span<uint> words = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(words, words);
                break;
            case 8:
                Span<ulong> doubles = MemoryMarshal.Cast<byte, ulong>(bytes);
                BinaryPrimitives.ReverseEndianness(doubles, doubles);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(unit), unit, "Byte-order units are 1, 2, 4 or 8 bytes.");
        }
    }

    /// <summary>
    /// Makes every byte 0 or 1. NumPy reads any nonzero byte as True, but a .NET <see cref="bool"/>
    /// holding 2 compares unequal to <c>true</c>, so the reader hands on only canonical values.
    /// </summary>
    public static void NormalizeBooleans(Span<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
        }
    }
}
