using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Osipy.MappedCache.Compression;

/// <summary>
/// SSSE3 kernels for elements of 2, 4 and 8 bytes. Each step takes 16 elements, so that every
/// byte plane receives exactly one 16-byte register.
/// </summary>
/// <remarks>
/// A shuffle is two transposes. First a byte mask (<see cref="Ssse3.Shuffle(Vector128{byte}, Vector128{byte})"/>)
/// groups the bytes inside each loaded register by plane; then a transpose of wider lanes across
/// the registers (<see cref="Sse2"/> unpacks) gathers each plane into one register. An unshuffle
/// runs the same steps backwards: the lane transpose (its own inverse), then the inverse mask.
/// Only the callers' bounds make these loads and stores safe: each kernel reads and writes 16
/// elements' bytes, and is called only while 16 whole elements remain.
/// There is no 256-bit version: AVX2 byte shuffles and unpacks stay within 128-bit halves, so it
/// needs a cross-half permute per plane, and measured slower (docs/PERFORMANCE.md, issue 5).
/// </remarks>
internal static partial class ByteShuffle
{
    private const int BlockElements = 16;

    // Splits 16 bytes into their even bytes, then their odd bytes: 8 elements of 2 bytes become a
    // 64-bit lane per plane. Inverse of InterleaveHalves.
    private static Vector128<byte> EvenThenOdd => Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);

    // Pairs byte k with byte k + 8: 2 elements of 8 bytes become a 16-bit lane per plane.
    // Inverse of EvenThenOdd.
    private static Vector128<byte> InterleaveHalves => Vector128.Create((byte)0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);

    // The 4x4 byte transpose: 4 elements of 4 bytes become a 32-bit lane per plane. Its own inverse.
    private static Vector128<byte> Transpose4x4Bytes => Vector128.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);

    /// <returns>How many leading elements were shuffled: a multiple of 16, or 0 for an unsupported size.</returns>
    private static int ShuffleVector128(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize, int count)
    {
        ref byte src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        nuint plane = (nuint)count;
        nuint last = (nuint)(count - (count % BlockElements));
        nuint i = 0;
        switch (itemSize)
        {
            case 2:
                for (; i < last; i += BlockElements)
                {
                    Shuffle2(ref Unsafe.Add(ref src, i * 2), ref Unsafe.Add(ref dst, i), plane);
                }

                break;
            case 4:
                for (; i < last; i += BlockElements)
                {
                    Shuffle4(ref Unsafe.Add(ref src, i * 4), ref Unsafe.Add(ref dst, i), plane);
                }

                break;
            case 8:
                for (; i < last; i += BlockElements)
                {
                    Shuffle8(ref Unsafe.Add(ref src, i * 8), ref Unsafe.Add(ref dst, i), plane);
                }

                break;
        }

        return (int)i;
    }

    /// <returns>How many leading elements were unshuffled: a multiple of 16, or 0 for an unsupported size.</returns>
    private static int UnshuffleVector128(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize, int count)
    {
        ref byte src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        nuint plane = (nuint)count;
        nuint last = (nuint)(count - (count % BlockElements));
        nuint i = 0;
        switch (itemSize)
        {
            case 2:
                for (; i < last; i += BlockElements)
                {
                    Unshuffle2(ref Unsafe.Add(ref src, i), ref Unsafe.Add(ref dst, i * 2), plane);
                }

                break;
            case 4:
                for (; i < last; i += BlockElements)
                {
                    Unshuffle4(ref Unsafe.Add(ref src, i), ref Unsafe.Add(ref dst, i * 4), plane);
                }

                break;
            case 8:
                for (; i < last; i += BlockElements)
                {
                    Unshuffle8(ref Unsafe.Add(ref src, i), ref Unsafe.Add(ref dst, i * 8), plane);
                }

                break;
        }

        return (int)i;
    }

    // 16 elements of 2 bytes: 32 interleaved bytes in, 16 bytes to each of 2 planes out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Shuffle2(ref byte src, ref byte dst, nuint plane)
    {
        Vector128<ulong> a0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 0), EvenThenOdd).AsUInt64();
        Vector128<ulong> a1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 16), EvenThenOdd).AsUInt64();
        Sse2.UnpackLow(a0, a1).AsByte().StoreUnsafe(ref dst, 0);
        Sse2.UnpackHigh(a0, a1).AsByte().StoreUnsafe(ref dst, plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unshuffle2(ref byte src, ref byte dst, nuint plane)
    {
        Vector128<ulong> p0 = Vector128.LoadUnsafe(ref src, 0).AsUInt64();
        Vector128<ulong> p1 = Vector128.LoadUnsafe(ref src, plane).AsUInt64();
        Ssse3.Shuffle(Sse2.UnpackLow(p0, p1).AsByte(), InterleaveHalves).StoreUnsafe(ref dst, 0);
        Ssse3.Shuffle(Sse2.UnpackHigh(p0, p1).AsByte(), InterleaveHalves).StoreUnsafe(ref dst, 16);
    }

    // 16 elements of 4 bytes (float32, the main case): 64 bytes in, 16 bytes to each of 4 planes out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Shuffle4(ref byte src, ref byte dst, nuint plane)
    {
        Vector128<uint> v0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 0), Transpose4x4Bytes).AsUInt32();
        Vector128<uint> v1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 16), Transpose4x4Bytes).AsUInt32();
        Vector128<uint> v2 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 32), Transpose4x4Bytes).AsUInt32();
        Vector128<uint> v3 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 48), Transpose4x4Bytes).AsUInt32();
        Transpose4x32(ref v0, ref v1, ref v2, ref v3);
        v0.AsByte().StoreUnsafe(ref dst, 0);
        v1.AsByte().StoreUnsafe(ref dst, plane);
        v2.AsByte().StoreUnsafe(ref dst, plane * 2);
        v3.AsByte().StoreUnsafe(ref dst, plane * 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unshuffle4(ref byte src, ref byte dst, nuint plane)
    {
        Vector128<uint> v0 = Vector128.LoadUnsafe(ref src, 0).AsUInt32();
        Vector128<uint> v1 = Vector128.LoadUnsafe(ref src, plane).AsUInt32();
        Vector128<uint> v2 = Vector128.LoadUnsafe(ref src, plane * 2).AsUInt32();
        Vector128<uint> v3 = Vector128.LoadUnsafe(ref src, plane * 3).AsUInt32();
        Transpose4x32(ref v0, ref v1, ref v2, ref v3);
        Ssse3.Shuffle(v0.AsByte(), Transpose4x4Bytes).StoreUnsafe(ref dst, 0);
        Ssse3.Shuffle(v1.AsByte(), Transpose4x4Bytes).StoreUnsafe(ref dst, 16);
        Ssse3.Shuffle(v2.AsByte(), Transpose4x4Bytes).StoreUnsafe(ref dst, 32);
        Ssse3.Shuffle(v3.AsByte(), Transpose4x4Bytes).StoreUnsafe(ref dst, 48);
    }

    // 16 elements of 8 bytes: 128 bytes in, 16 bytes to each of 8 planes out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Shuffle8(ref byte src, ref byte dst, nuint plane)
    {
        Vector128<ushort> v0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 0), InterleaveHalves).AsUInt16();
        Vector128<ushort> v1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 16), InterleaveHalves).AsUInt16();
        Vector128<ushort> v2 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 32), InterleaveHalves).AsUInt16();
        Vector128<ushort> v3 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 48), InterleaveHalves).AsUInt16();
        Vector128<ushort> v4 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 64), InterleaveHalves).AsUInt16();
        Vector128<ushort> v5 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 80), InterleaveHalves).AsUInt16();
        Vector128<ushort> v6 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 96), InterleaveHalves).AsUInt16();
        Vector128<ushort> v7 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 112), InterleaveHalves).AsUInt16();
        Transpose8x16(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        v0.AsByte().StoreUnsafe(ref dst, 0);
        v1.AsByte().StoreUnsafe(ref dst, plane);
        v2.AsByte().StoreUnsafe(ref dst, plane * 2);
        v3.AsByte().StoreUnsafe(ref dst, plane * 3);
        v4.AsByte().StoreUnsafe(ref dst, plane * 4);
        v5.AsByte().StoreUnsafe(ref dst, plane * 5);
        v6.AsByte().StoreUnsafe(ref dst, plane * 6);
        v7.AsByte().StoreUnsafe(ref dst, plane * 7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unshuffle8(ref byte src, ref byte dst, nuint plane)
    {
        Vector128<ushort> v0 = Vector128.LoadUnsafe(ref src, 0).AsUInt16();
        Vector128<ushort> v1 = Vector128.LoadUnsafe(ref src, plane).AsUInt16();
        Vector128<ushort> v2 = Vector128.LoadUnsafe(ref src, plane * 2).AsUInt16();
        Vector128<ushort> v3 = Vector128.LoadUnsafe(ref src, plane * 3).AsUInt16();
        Vector128<ushort> v4 = Vector128.LoadUnsafe(ref src, plane * 4).AsUInt16();
        Vector128<ushort> v5 = Vector128.LoadUnsafe(ref src, plane * 5).AsUInt16();
        Vector128<ushort> v6 = Vector128.LoadUnsafe(ref src, plane * 6).AsUInt16();
        Vector128<ushort> v7 = Vector128.LoadUnsafe(ref src, plane * 7).AsUInt16();
        Transpose8x16(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        Ssse3.Shuffle(v0.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 0);
        Ssse3.Shuffle(v1.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 16);
        Ssse3.Shuffle(v2.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 32);
        Ssse3.Shuffle(v3.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 48);
        Ssse3.Shuffle(v4.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 64);
        Ssse3.Shuffle(v5.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 80);
        Ssse3.Shuffle(v6.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 96);
        Ssse3.Shuffle(v7.AsByte(), EvenThenOdd).StoreUnsafe(ref dst, 112);
    }

    /// <summary>Transposes a 4x4 matrix of 32-bit lanes held one row per register: lane j of row k swaps with lane k of row j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x32(ref Vector128<uint> r0, ref Vector128<uint> r1, ref Vector128<uint> r2, ref Vector128<uint> r3)
    {
        Vector128<ulong> t0 = Sse2.UnpackLow(r0, r1).AsUInt64();  // r0[0] r1[0] r0[1] r1[1]
        Vector128<ulong> t1 = Sse2.UnpackLow(r2, r3).AsUInt64();  // r2[0] r3[0] r2[1] r3[1]
        Vector128<ulong> t2 = Sse2.UnpackHigh(r0, r1).AsUInt64(); // r0[2] r1[2] r0[3] r1[3]
        Vector128<ulong> t3 = Sse2.UnpackHigh(r2, r3).AsUInt64(); // r2[2] r3[2] r2[3] r3[3]
        r0 = Sse2.UnpackLow(t0, t1).AsUInt32();
        r1 = Sse2.UnpackHigh(t0, t1).AsUInt32();
        r2 = Sse2.UnpackLow(t2, t3).AsUInt32();
        r3 = Sse2.UnpackHigh(t2, t3).AsUInt32();
    }

    /// <summary>Transposes an 8x8 matrix of 16-bit lanes, one row per register, in three rounds of unpacks (16-, 32-, 64-bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x16(
        ref Vector128<ushort> r0, ref Vector128<ushort> r1, ref Vector128<ushort> r2, ref Vector128<ushort> r3,
        ref Vector128<ushort> r4, ref Vector128<ushort> r5, ref Vector128<ushort> r6, ref Vector128<ushort> r7)
    {
        // 32-bit lanes now pair rows 2q and 2q+1: the low unpack holds columns 0-3, the high one 4-7.
        Vector128<uint> s0 = Sse2.UnpackLow(r0, r1).AsUInt32(), s1 = Sse2.UnpackHigh(r0, r1).AsUInt32();
        Vector128<uint> s2 = Sse2.UnpackLow(r2, r3).AsUInt32(), s3 = Sse2.UnpackHigh(r2, r3).AsUInt32();
        Vector128<uint> s4 = Sse2.UnpackLow(r4, r5).AsUInt32(), s5 = Sse2.UnpackHigh(r4, r5).AsUInt32();
        Vector128<uint> s6 = Sse2.UnpackLow(r6, r7).AsUInt32(), s7 = Sse2.UnpackHigh(r6, r7).AsUInt32();

        // 64-bit lanes now hold rows 0-3 (u0..u3) or 4-7 (u4..u7) of columns 0,1 | 2,3 | 4,5 | 6,7.
        Vector128<ulong> u0 = Sse2.UnpackLow(s0, s2).AsUInt64(), u1 = Sse2.UnpackHigh(s0, s2).AsUInt64();
        Vector128<ulong> u2 = Sse2.UnpackLow(s1, s3).AsUInt64(), u3 = Sse2.UnpackHigh(s1, s3).AsUInt64();
        Vector128<ulong> u4 = Sse2.UnpackLow(s4, s6).AsUInt64(), u5 = Sse2.UnpackHigh(s4, s6).AsUInt64();
        Vector128<ulong> u6 = Sse2.UnpackLow(s5, s7).AsUInt64(), u7 = Sse2.UnpackHigh(s5, s7).AsUInt64();

        r0 = Sse2.UnpackLow(u0, u4).AsUInt16();
        r1 = Sse2.UnpackHigh(u0, u4).AsUInt16();
        r2 = Sse2.UnpackLow(u1, u5).AsUInt16();
        r3 = Sse2.UnpackHigh(u1, u5).AsUInt16();
        r4 = Sse2.UnpackLow(u2, u6).AsUInt16();
        r5 = Sse2.UnpackHigh(u2, u6).AsUInt16();
        r6 = Sse2.UnpackLow(u3, u7).AsUInt16();
        r7 = Sse2.UnpackHigh(u3, u7).AsUInt16();
    }
}
