using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Osipy.MappedCache.Provenance;

/// <summary>
/// The canonical bytes of a provenance value (docs/FORMAT.md, "Provenance keys", encoding version 1):
/// bytes that depend only on the value, never on dictionary order, object identity or the platform.
/// Python's <c>osipy_mappedcache/_encoding.py</c> writes the same bytes for the same values.
/// </summary>
/// <remarks>
/// <para>Accepted: null; bool; the integer types from <see cref="sbyte"/> to <see cref="ulong"/>, <see cref="Int128"/>, <see cref="UInt128"/> and <see cref="BigInteger"/>
/// (native-sized integers are refused: their width is the platform's);
/// <see cref="Half"/>, <see cref="float"/> and <see cref="double"/> (widened exactly to binary64, so a
/// float 0.1 is not a double 0.1); <see cref="Complex"/> and <see cref="Complex64"/>; strings;
/// <c>byte[]</c> (bytes, such as a NIfTI header block); string-keyed dictionaries (<see cref="IDictionary"/>,
/// or <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to object); tuples (<see cref="ITuple"/>) and
/// other sequences as lists. A <c>double[]</c> is a <em>list</em> of numbers, as a Python list of
/// floats is: an array to be keyed by its content is given with its shape and dtype
/// (<see cref="ProvenanceKeyBuilder.Array{T}"/>), and a cache entry by its checksum
/// (<see cref="ProvenanceKeyBuilder.Input"/>). Multi-dimensional .NET arrays are refused (their shape
/// would be lost). Anything else is an <see cref="ArgumentException"/> naming the argument.</para>
/// <para>Pure: no I/O, thread-safe.</para>
/// </remarks>
internal static class ProvenanceEncoding
{
    /// <summary>The encoding's version; bumped whenever any value's bytes change.</summary>
    public const int Version = 1;

    // A lone surrogate has no UTF-8 form: refused, never replaced by U+FFFD (two strings, one key).
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical bytes of <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="argument">The argument's name, for the message of a value that has no canonical form.</param>
    /// <exception cref="ArgumentException">A value (or a part of it) has no canonical form.</exception>
    public static byte[] Encode(object? value, string argument)
    {
        var output = new ArrayBufferWriter<byte>(64);
        Write(output, value, argument, depth: 0);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>SHA-256, lowercase hex, of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The bytes of an array by content: <c>a</c> dtype shape <c>x</c> SHA-256 hex of its C-order little-endian bytes.</summary>
    public static byte[] EncodeArray(string descr, ReadOnlySpan<long> shape, string sha256Hex)
    {
        var output = new ArrayBufferWriter<byte>(128);
        Ascii(output, "a");
        WriteString(output, descr, "dtype");
        WriteShape(output, shape);
        Ascii(output, "x");
        Ascii(output, sha256Hex);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The bytes of a cache entry by its stored checksum: <c>e</c> dtype shape <c>k</c> 16 hex digits of XxHash3, payload length.</summary>
    public static byte[] EncodeEntry(string descr, ReadOnlySpan<long> shape, ulong payloadChecksum, long payloadLength)
    {
        var output = new ArrayBufferWriter<byte>(96);
        Ascii(output, "e");
        WriteString(output, descr, "dtype");
        WriteShape(output, shape);
        Ascii(output, "k");
        Ascii(output, payloadChecksum.ToString("x16", CultureInfo.InvariantCulture));
        Integer(output, payloadLength.ToString(CultureInfo.InvariantCulture));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The SHA-256 (hex) of the key text: <c>osipy-provenance/1</c>, <c>function F</c>, then one
    /// <c>name\tdigest</c> line per component, sorted by the name's UTF-8 bytes.
    /// </summary>
    public static string KeyDigest(string function, IEnumerable<KeyValuePair<string, string>> componentDigests)
    {
        var text = new StringBuilder();
        text.Append("osipy-provenance/").Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("function ").Append(function).Append('\n');
        foreach ((string name, string digest) in SortedByUtf8(componentDigests, pair => pair.Key))
        {
            text.Append(name).Append('\t').Append(digest).Append('\n');
        }

        return Sha256Hex(s_strict.GetBytes(text.ToString()));
    }

    /// <summary>The entry key: the function's name and the first 32 hex digits of <see cref="KeyDigest"/>.</summary>
    public static string KeyText(string function, string keyDigest) => $"{function}@{keyDigest[..32]}";

    /// <summary><paramref name="items"/> sorted by the UTF-8 bytes of their names, as Python sorts them.</summary>
    public static IEnumerable<TItem> SortedByUtf8<TItem>(IEnumerable<TItem> items, Func<TItem, string> name)
    {
        var sorted = items.ToList();
        sorted.Sort((a, b) => CompareUtf8(name(a), name(b)));
        return sorted;
    }

    /// <summary>
    /// Compares two strings as their UTF-8 bytes compare (code point order), without encoding them:
    /// UTF-16 order differs only where a surrogate (U+D800–DFFF, a code point above U+FFFF) meets
    /// U+E000–FFFF, which UTF-8 puts before it.
    /// </summary>
    public static int CompareUtf8(string x, string y)
    {
        int length = Math.Min(x.Length, y.Length);
        for (int i = 0; i < length; i++)
        {
            char a = x[i], b = y[i];
            if (a != b)
            {
                return CodePointRank(a) - CodePointRank(b);
            }
        }

        return x.Length - y.Length;
    }

    private static int CodePointRank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };

    private static void Write(ArrayBufferWriter<byte> output, object? value, string path, int depth)
    {
        if (depth > 64)
        {
            throw new ArgumentException($"{path} nests deeper than 64 levels (a cycle?); a provenance key takes trees of values.", path);
        }

        switch (value)
        {
            case null:
                Ascii(output, "N");
                break;
            case bool flag:
                Ascii(output, flag ? "T" : "F");
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or Int128 or UInt128 or BigInteger:
                Integer(output, ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case Half half:
                Float(output, (double)half);
                break;
            case float single:
                Float(output, single);
                break;
            case double number:
                Float(output, number);
                break;
            case Complex complex:
                Ascii(output, "c");
                FloatBits(output, complex.Real);
                FloatBits(output, complex.Imaginary);
                break;
            case Complex64 complex64:
                Ascii(output, "c");
                FloatBits(output, complex64.Real);
                FloatBits(output, complex64.Imaginary);
                break;
            case string text:
                WriteString(output, text, path);
                break;
            case byte[] bytes:
                Prefixed(output, "b", bytes);
                break;
            case IDictionary dictionary:
                WriteDictionary(output, Entries(dictionary, path), path, depth);
                break;
            case IReadOnlyDictionary<string, object?> readOnly:
                WriteDictionary(output, readOnly.Select(pair => (pair.Key, pair.Value)), path, depth);
                break;
            case Array { Rank: > 1 } multi:
                throw new ArgumentException(
                    $"{path} is a {multi.Rank}-dimensional {multi.GetType().GetElementType()} array, whose shape a list would lose: "
                    + "give it with ProvenanceKeyBuilder.Array (keyed by its content and shape).", path);
            case ITuple tuple:
                Count(output, "l", tuple.Length);
                for (int i = 0; i < tuple.Length; i++)
                {
                    Write(output, tuple[i], $"{path}[{i}]", depth + 1);
                }

                break;
            case IEnumerable sequence:
                var items = sequence.Cast<object?>().ToList();
                Count(output, "l", items.Count);
                for (int i = 0; i < items.Count; i++)
                {
                    Write(output, items[i], $"{path}[{i}]", depth + 1);
                }

                break;
            default:
                throw new ArgumentException(
                    $"{path} is a {value.GetType().FullName}, which has no canonical form for a provenance key: pass numbers, strings, bools, null, "
                    + "byte arrays, sequences and string-keyed dictionaries of them, arrays by content (Array) or cache entries (Input), or leave it out of the key.",
                    path);
        }
    }

    private static IEnumerable<(string Key, object? Value)> Entries(IDictionary dictionary, string path)
    {
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is not string key)
            {
                throw new ArgumentException(
                    $"{path} is a dictionary with a key of type {entry.Key.GetType().FullName} ({entry.Key}); a provenance key takes dictionaries with string keys only.", path);
            }

            yield return (key, entry.Value);
        }
    }

    private static void WriteDictionary(ArrayBufferWriter<byte> output, IEnumerable<(string Key, object? Value)> entries, string path, int depth)
    {
        var sorted = SortedByUtf8(entries.ToList(), entry => entry.Key).ToList();
        Count(output, "d", sorted.Count);
        foreach ((string key, object? item) in sorted)
        {
            WriteString(output, key, path);
            Write(output, item, $"{path}[\"{key}\"]", depth + 1);
        }
    }

    private static void WriteShape(ArrayBufferWriter<byte> output, ReadOnlySpan<long> shape)
    {
        Count(output, "l", shape.Length);
        foreach (long dim in shape)
        {
            Integer(output, dim.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string text, string path)
    {
        byte[] utf8;
        try
        {
            utf8 = s_strict.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{path} holds a string that is not valid UTF-16 (a lone surrogate).", path);
        }

        Prefixed(output, "s", utf8);
    }

    private static void Float(ArrayBufferWriter<byte> output, double value)
    {
        Ascii(output, "f");
        FloatBits(output, value);
    }

    // The exact binary64 bits, big-endian hex: 0.1 and 0.1000000000000001 differ, -0.0 and 0.0 differ.
    private static void FloatBits(ArrayBufferWriter<byte> output, double value) =>
        Ascii(output, BitConverter.DoubleToInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture));

    private static void Integer(ArrayBufferWriter<byte> output, string digits)
    {
        Ascii(output, "i");
        Ascii(output, digits);
        Ascii(output, ";");
    }

    private static void Count(ArrayBufferWriter<byte> output, string tag, int count)
    {
        Ascii(output, tag);
        Ascii(output, count.ToString(CultureInfo.InvariantCulture));
        Ascii(output, ":");
    }

    private static void Prefixed(ArrayBufferWriter<byte> output, string tag, ReadOnlySpan<byte> bytes)
    {
        Count(output, tag, bytes.Length);
        output.Write(bytes);
    }

    private static void Ascii(ArrayBufferWriter<byte> output, string text)
    {
        Span<byte> target = output.GetSpan(text.Length);
        int written = Encoding.ASCII.GetBytes(text, target);
        output.Advance(written);
    }
}
