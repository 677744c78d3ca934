using System.Runtime.InteropServices;
using System.Text;

namespace Osipy.MappedCache.Native;

/// <summary>UTF-8 strings across the boundary: read strictly, returned in native memory the caller frees.</summary>
internal static unsafe class NativeStrings
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="ArgumentNullException">The pointer is null.</exception>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8.</exception>
    public static string Read(byte* text, string name)
    {
        if (text is null)
        {
            throw new ArgumentNullException(name, $"{name} is NULL.");
        }

        return ReadOptional(text, name)!;
    }

    /// <summary>Null for a null pointer.</summary>
    public static string? ReadOptional(byte* text, string name)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return s_strict.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text));
        }
        catch (DecoderFallbackException)
        {
            throw new ArgumentException($"{name} is not valid UTF-8.", name);
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy in native memory; freed by <see cref="Free"/> (osipy_cache_free_string).</summary>
    public static byte* Allocate(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        byte* copy = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(copy, length));
        copy[length] = 0;
        return copy;
    }

    public static void Free(byte* text) => NativeMemory.Free(text);
}
