using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Osipy.MappedCache.Provenance;

/// <summary>
/// A component's readable text, stored beside its digest for people (explain, <c>osipy-cache show</c>);
/// it never enters a key. Written the way Python's <c>repr</c> writes the same value (None, True,
/// 0.1, 'text', [2, 5], {'a': 1}), so the two languages print alike.
/// </summary>
internal static class ProvenanceText
{
    private const int Limit = 120;

    /// <summary>The text of <paramref name="value"/>, cut to 120 characters.</summary>
    public static string Of(object? value)
    {
        var text = new StringBuilder();
        Write(text, value, depth: 0);
        return Cut(text.ToString());
    }

    /// <summary>Cuts <paramref name="text"/> to 120 characters, the last an ellipsis.</summary>
    public static string Cut(string text) => text.Length <= Limit ? text : string.Concat(text.AsSpan(0, Limit - 1), "…");

    /// <summary>A double as Python's repr writes it: shortest round trip, always with a fraction or exponent.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.Ordinal) ? text : text + ".0";
    }

    private static void Write(StringBuilder text, object? value, int depth)
    {
        if (depth > 8 || text.Length > Limit)
        {
            text.Append('…');
            return;
        }

        switch (value)
        {
            case null:
                text.Append("None");
                break;
            case bool flag:
                text.Append(flag ? "True" : "False");
                break;
            case Half or float or double:
                text.Append(Float(Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                break;
            case Complex complex:
                text.Append('(').Append(Float(complex.Real)).Append(complex.Imaginary < 0 || double.IsNegative(complex.Imaginary) ? "" : "+").Append(Float(complex.Imaginary)).Append("j)");
                break;
            case Complex64 complex64:
                Write(text, (Complex)complex64, depth);
                break;
            case IFormattable integer when value is sbyte or byte or short or ushort or int or uint or long or ulong or Int128 or UInt128 or BigInteger:
                text.Append(integer.ToString(null, CultureInfo.InvariantCulture));
                break;
            case string s:
                text.Append('\'').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append('\'');
                break;
            case byte[] bytes:
                text.Append("b'");
                foreach (byte b in bytes.Take(Limit))
                {
                    text.Append(b is >= 0x20 and < 0x7f and not (byte)'\'' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
                }

                text.Append('\'');
                break;
            case IDictionary dictionary:
                Items(text, Entries(dictionary), depth);
                break;
            case IReadOnlyDictionary<string, object?> readOnly:
                Items(text, readOnly.Select(pair => ((object)pair.Key, pair.Value)), depth);
                break;
            case ITuple tuple:
                text.Append('(');
                for (int i = 0; i < tuple.Length; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    Write(text, tuple[i], depth + 1);
                }

                text.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            case IEnumerable sequence:
                text.Append('[');
                bool first = true;
                foreach (object? item in sequence)
                {
                    text.Append(first ? "" : ", ");
                    first = false;
                    Write(text, item, depth + 1);
                    if (text.Length > Limit)
                    {
                        break;
                    }
                }

                text.Append(']');
                break;
            default:
                text.Append(value);
                break;
        }
    }

    private static IEnumerable<(object Key, object? Value)> Entries(IDictionary dictionary)
    {
        // IDictionary's own enumerator: a Dictionary's IEnumerable yields KeyValuePairs, not DictionaryEntry.
        foreach (DictionaryEntry entry in dictionary)
        {
            yield return (entry.Key, entry.Value);
        }
    }

    private static void Items(StringBuilder text, IEnumerable<(object Key, object? Value)> items, int depth)
    {
        text.Append('{');
        bool first = true;
        foreach ((object key, object? item) in items)
        {
            text.Append(first ? "" : ", ");
            first = false;
            Write(text, key, depth + 1);
            text.Append(": ");
            Write(text, item, depth + 1);
        }

        text.Append('}');
    }
}
