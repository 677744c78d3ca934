using System.Text;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache;

/// <summary>The checks every public entry point runs on its arguments before anything else.</summary>
internal static class Arguments
{
    // Throws on a lone surrogate instead of writing U+FFFD: "\uDC00" must never name the entry of "\uFFFD".
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="ArgumentNullException">A string is null.</exception>
    /// <exception cref="ArgumentException">Invalid UTF-16 (a lone surrogate), or longer than the limit.</exception>
    public static void CheckKey(string resultType, string key)
    {
        ArgumentNullException.ThrowIfNull(resultType);
        ArgumentNullException.ThrowIfNull(key);
        CheckText(resultType, nameof(resultType), "result type", SegmentLimits.MaxKeyBytes);
        CheckText(key, nameof(key), "key", SegmentLimits.MaxKeyBytes);
    }

    /// <exception cref="ArgumentException">Invalid UTF-16, or longer than the limit.</exception>
    public static void CheckResultType(string? resultType)
    {
        if (resultType is not null)
        {
            CheckText(resultType, nameof(resultType), "result type", SegmentLimits.MaxKeyBytes);
        }
    }

    /// <exception cref="ArgumentException">A bundle's array name is invalid UTF-16 or too long.</exception>
    public static void CheckArrayName(string name, string parameterName) =>
        CheckText(name, parameterName, "array name", SegmentLimits.MaxArrayNameBytes);

    /// <summary>The metadata and tags as the entry's metadata JSON, checked against its bound.</summary>
    /// <exception cref="ArgumentException">Not JSON-able, too large, using the reserved property, or a bad tag.</exception>
    public static string Metadata(IReadOnlyDictionary<string, object?>? metadata, IReadOnlyCollection<string>? tags = null)
    {
        if (metadata is not null && metadata.ContainsKey(EntryTags.Property))
        {
            throw new ArgumentException($"The metadata property '{EntryTags.Property}' is reserved for the entry's tags: pass them as tags.", nameof(metadata));
        }

        if (tags is { Count: > 0 })
        {
            var withTags = new Dictionary<string, object?>(metadata ?? new Dictionary<string, object?>())
            {
                [EntryTags.Property] = Tags(tags),
            };
            metadata = withTags;
        }

        string json = MetadataJson.Serialize(metadata);
        if (Encoding.UTF8.GetByteCount(json) > SegmentLimits.MaxMetadataBytes)
        {
            throw new ArgumentException($"Metadata is limited to {SegmentLimits.MaxMetadataBytes} bytes of JSON.", nameof(metadata));
        }

        return json;
    }

    /// <summary>Tags checked and without repeats, in the order given.</summary>
    /// <exception cref="ArgumentException">Too many tags, or one that is null, empty, not valid UTF-16, too long or has control characters.</exception>
    public static string[] Tags(IReadOnlyCollection<string> tags)
    {
        if (tags.Count > EntryTags.MaxTags)
        {
            throw new ArgumentException($"An entry carries at most {EntryTags.MaxTags} tags ({tags.Count} given).", nameof(tags));
        }

        foreach (string tag in tags)
        {
            CheckTag(tag);
        }

        return [.. tags.Distinct(StringComparer.Ordinal)];
    }

    /// <exception cref="ArgumentException">The tag is null, empty, not valid UTF-16, too long or has control characters.</exception>
    public static void CheckTag(string? tag)
    {
        if (string.IsNullOrEmpty(tag))
        {
            throw new ArgumentException("A tag must be a non-empty string.", nameof(tag));
        }

        CheckText(tag, nameof(tag), "tag", EntryTags.MaxTagBytes);
        if (tag.Any(char.IsControl))
        {
            throw new ArgumentException($"The tag '{tag.ReplaceLineEndings(" ")}' contains a control character.", nameof(tag));
        }
    }

    /// <summary>The shape as dimensions, checked: at most 32, none negative, a product that fits a file.</summary>
    /// <exception cref="ArgumentException">A bad shape; the message says which dimension.</exception>
    public static long[] Shape(ReadOnlySpan<int> shape)
    {
        if (shape.Length > SegmentLimits.MaxDimensions)
        {
            throw new ArgumentException($"Arrays of more than {SegmentLimits.MaxDimensions} dimensions cannot be cached (the shape has {shape.Length}).", nameof(shape));
        }

        var dims = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            dims[d] = shape[d] >= 0 ? shape[d] : throw new ArgumentException($"Dimension {d} of the shape is negative ({shape[d]}).", nameof(shape));
        }

        return CheckFits(dims, nameof(shape));
    }

    /// <summary>The shape, checked to hold exactly <paramref name="dataLength"/> elements.</summary>
    /// <exception cref="ArgumentException">A bad shape, or one that disagrees with the data's length.</exception>
    public static long[] Shape(ReadOnlySpan<int> shape, int dataLength)
    {
        long[] dims = Shape(shape);
        long product = SegmentLayout.ElementCount(dims);
        if (product != dataLength)
        {
            throw new ArgumentException($"The shape ({string.Join(", ", dims)}) holds {product} elements but the data has {dataLength}.", nameof(shape));
        }

        return dims;
    }

    /// <summary>Dimensions (from C, or a managed array's lengths), checked: each 0..int.MaxValue, a product that fits a file.</summary>
    /// <exception cref="ArgumentException">A bad dimension or product; the message names <paramref name="parameterName"/>'s dimension.</exception>
    public static long[] CheckFits(long[] dims, string parameterName)
    {
        if (dims.Length > SegmentLimits.MaxDimensions)
        {
            throw new ArgumentException($"Arrays of more than {SegmentLimits.MaxDimensions} dimensions cannot be cached ({parameterName} has {dims.Length}).", parameterName);
        }

        for (int d = 0; d < dims.Length; d++)
        {
            if (dims[d] is < 0 or > int.MaxValue)
            {
                throw new ArgumentException($"Dimension {d} of {parameterName} ({dims[d]}) is negative or larger than {int.MaxValue}.", parameterName);
            }
        }

        try
        {
            _ = SegmentLayout.PayloadLength(DType.Complex128, dims); // the widest element: fits for every type
        }
        catch (OverflowException)
        {
            throw new ArgumentException($"The shape ({string.Join(", ", dims)}) holds more elements than a file can.", parameterName);
        }

        return dims;
    }

    /// <summary>The draft of one managed array of any rank: its element type and lengths.</summary>
    /// <exception cref="NotSupportedException">Its element type is not supported.</exception>
    /// <exception cref="ArgumentException">More than 32 dimensions.</exception>
    public static ArrayDraft DraftFor(string name, Array data, string parameterName)
    {
        DType dtype = DTypes.FromType(data.GetType().GetElementType()!);
        var shape = new long[data.Rank];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = data.GetLength(d);
        }

        return new ArrayDraft(name, dtype, CheckFits(shape, parameterName));
    }

    private static void CheckText(string text, string parameterName, string what, int maxBytes)
    {
        int bytes;
        try
        {
            bytes = s_strict.GetByteCount(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"The {what} is not valid UTF-16: it has a lone surrogate (U+{(int)ex.CharUnknown:X4}) at index {ex.Index}.", parameterName);
        }

        if (bytes > maxBytes)
        {
            throw new ArgumentException($"The {what} is {bytes} UTF-8 bytes; the limit is {maxBytes}.", parameterName);
        }
    }
}
