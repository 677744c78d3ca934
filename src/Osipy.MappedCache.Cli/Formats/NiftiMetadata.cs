using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// NIfTI-1 header fields as a metadata dictionary: one key per field, <c>nifti.</c> and its nifti1.h
/// name (<c>nifti.pixdim</c>, <c>nifti.xyzt_units</c>, <c>nifti.qform_code</c>, <c>nifti.srow_x</c>,
/// <c>nifti.descrip</c>, …), with JSON-friendly values: integer fields as <see cref="long"/>, float
/// fields as <see cref="double"/>, float arrays as <c>double[]</c>, character fields as
/// <see cref="string"/> (up to the first NUL, one char per byte).
/// </summary>
/// <remarks>
/// <para>
/// A float field holding NaN or an infinity (or an array holding one) is left out, because JSON cannot
/// hold it (some writers put NaN into scl_slope to mean "no scaling", for instance). The
/// layout fields (sizeof_hdr, dim, vox_offset, magic and the unused Analyze fields) are never included:
/// the array's shape and type say the same thing.
/// </para>
/// <para>
/// Written back, the dictionary may hold the values as read or as a JSON round trip gives them
/// (any integer or floating-point type, arrays as any sequence of numbers); keys of other fields and
/// other prefixes are ignored. datatype, bitpix, scl_slope and scl_inter are never taken from it.
/// </para>
/// </remarks>
internal static class NiftiMetadata
{
    /// <summary>The header's fields as metadata.</summary>
    public static Dictionary<string, object?> Read(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (NiftiField field in NiftiLayout.Fields)
        {
            if (field.Use != NiftiFieldUse.Layout && ReadValue(header.Bytes.Slice(field.Offset, field.Count * field.ElementSize), field) is { } value)
            {
                metadata.Add(field.Key, value);
            }
        }

        return metadata;
    }

    /// <summary>Sets the header fields that <paramref name="metadata"/> has keys for.</summary>
    /// <param name="header">The 348 header bytes, little-endian.</param>
    /// <param name="metadata">Keys as <see cref="Read"/> gives them; others are ignored.</param>
    /// <exception cref="ArgumentException">A value has the wrong kind, count or range for its field; the message names the key.</exception>
    public static void Write(Span<byte> header, IReadOnlyDictionary<string, object?> metadata)
    {
        foreach (NiftiField field in NiftiLayout.Fields)
        {
            if (field.Use == NiftiFieldUse.Metadata && metadata.TryGetValue(field.Key, out object? value))
            {
                WriteValue(header.Slice(field.Offset, field.Count * field.ElementSize), field, value);
            }
        }
    }

    private static object? ReadValue(ReadOnlySpan<byte> bytes, NiftiField field)
    {
        switch (field.Kind)
        {
            case NiftiFieldKind.Text:
                int end = bytes.IndexOf((byte)0);
                return Encoding.Latin1.GetString(end < 0 ? bytes : bytes[..end]);
            case NiftiFieldKind.Float32:
                double[] values = new double[field.Count];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                    if (!double.IsFinite(values[i]))
                    {
                        return null;
                    }
                }

                return field.Count == 1 ? values[0] : values;
            case NiftiFieldKind.Int16:
                return (long)BinaryPrimitives.ReadInt16LittleEndian(bytes);
            case NiftiFieldKind.Int32:
                return (long)BinaryPrimitives.ReadInt32LittleEndian(bytes);
            default:
                return (long)bytes[0];
        }
    }

    private static void WriteValue(Span<byte> bytes, NiftiField field, object? value)
    {
        if (field.Kind == NiftiFieldKind.Text)
        {
            if (value is not string text || text.Any(c => c > '\u00ff') || text.Length > field.Count)
            {
                throw new ArgumentException($"Metadata '{field.Key}' must be a string of at most {field.Count} Latin-1 characters; it is {Show(value)}.", "metadata");
            }

            bytes.Clear();
            Encoding.Latin1.GetBytes(text, bytes);
            return;
        }

        double[] numbers = Numbers(value, field);
        for (int i = 0; i < numbers.Length; i++)
        {
            double number = numbers[i];
            (double min, double max) = field.Kind switch
            {
                NiftiFieldKind.Byte => (byte.MinValue, byte.MaxValue),
                NiftiFieldKind.Int16 => (short.MinValue, short.MaxValue),
                NiftiFieldKind.Int32 => (int.MinValue, int.MaxValue),
                _ => (float.MinValue, float.MaxValue),
            };
            if (!(number >= min && number <= max) || (field.Kind != NiftiFieldKind.Float32 && number != Math.Floor(number)))
            {
                throw new ArgumentException($"Metadata '{field.Key}' holds {number}, which its {field.Kind} field cannot store.", "metadata");
            }

            Span<byte> slot = bytes[(i * field.ElementSize)..];
            switch (field.Kind)
            {
                case NiftiFieldKind.Byte: slot[0] = (byte)number; break;
                case NiftiFieldKind.Int16: BinaryPrimitives.WriteInt16LittleEndian(slot, (short)number); break;
                case NiftiFieldKind.Int32: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)number); break;
                default: BinaryPrimitives.WriteSingleLittleEndian(slot, (float)number); break;
            }
        }
    }

    private static double[] Numbers(object? value, NiftiField field)
    {
        if (field.Count == 1 && TryNumber(value, out double single))
        {
            return [single];
        }

        if (field.Count > 1 && value is IEnumerable sequence and not string)
        {
            var numbers = new List<double>(field.Count);
            foreach (object? item in sequence)
            {
                if (!TryNumber(item, out double number))
                {
                    numbers.Clear();
                    break;
                }

                numbers.Add(number);
            }

            if (numbers.Count == field.Count)
            {
                return [.. numbers];
            }
        }

        string expected = field.Count == 1 ? "a number" : $"a sequence of {field.Count} numbers";
        throw new ArgumentException($"Metadata '{field.Key}' must be {expected}; it is {Show(value)}.", "metadata");
    }

    private static bool TryNumber(object? value, out double number)
    {
        number = value switch
        {
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            short s => s,
            sbyte sb => sb,
            ulong ul => ul,
            uint ui => ui,
            ushort us => us,
            byte b => b,
            decimal m => (double)m,
            _ => double.NaN,
        };
        return !double.IsNaN(number);
    }

    private static string Show(object? value) => value is null ? "null" : $"{value} ({value.GetType().Name})";
}
