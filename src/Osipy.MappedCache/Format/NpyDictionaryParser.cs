namespace Osipy.MappedCache.Format;

/// <summary>
/// A strict parser for the Python dict literal in an NPY header. It accepts exactly the three keys
/// NumPy requires ('descr', 'fortran_order', 'shape'), in any order, and nothing executable.
/// </summary>
internal struct NpyDictionaryParser
{
    private readonly string _text;
    private int _position;

    private NpyDictionaryParser(string text) => _text = text;

    public static string? Parse(string text, out DType dtype, out long[] shape)
    {
        var parser = new NpyDictionaryParser(text);
        return parser.ParseDictionary(strict: true, out dtype, out _, out _, out shape);
    }

    /// <summary>
    /// The same grammar, with the descr kept as written and Fortran order allowed: for .npy files
    /// this store did not write (osipy's .npz members), whose dtype the caller judges itself.
    /// </summary>
    /// <returns>null when the dict is well formed (descr is then a quoted string), otherwise why not.</returns>
    public static string? ParseForeign(string text, out string descr, out bool fortranOrder, out long[] shape)
    {
        var parser = new NpyDictionaryParser(text);
        return parser.ParseDictionary(strict: false, out _, out descr, out fortranOrder, out shape);
    }

    private string? ParseDictionary(bool strict, out DType dtype, out string descr, out bool fortranOrder, out long[] shape)
    {
        dtype = default;
        descr = string.Empty;
        fortranOrder = false;
        shape = [];
        bool sawDescr = false, sawOrder = false, sawShape = false;
        SkipSpaces();
        if (!Consume('{'))
        {
            return "NPY header is not a dict";
        }

        while (true)
        {
            SkipSpaces();
            if (Consume('}'))
            {
                break;
            }

            string? key = ReadQuoted();
            SkipSpaces();
            if (key is null || !Consume(':'))
            {
                return "malformed key in NPY header";
            }

            SkipSpaces();
            switch (key)
            {
                case "descr" when !sawDescr:
                    string? written = ReadQuoted();
                    if (!strict && written is null)
                    {
                        return "descr is not a string (a structured dtype)";
                    }

                    if (strict && (written is null || !DTypes.TryParseDescr(written, out dtype)))
                    {
                        return $"unsupported dtype {written ?? "(not a string)"} (little-endian numeric types only)";
                    }

                    descr = written!;
                    sawDescr = true;
                    break;
                case "fortran_order" when !sawOrder:
                    if (ConsumeWord("False"))
                    {
                        sawOrder = true;
                        break;
                    }

                    if (!strict && ConsumeWord("True"))
                    {
                        fortranOrder = true;
                        sawOrder = true;
                        break;
                    }

                    return ConsumeWord("True") ? "Fortran-order arrays are not supported" : "malformed fortran_order";
                case "shape" when !sawShape:
                    string? error = ReadShape(out shape);
                    if (error is not null)
                    {
                        return error;
                    }

                    sawShape = true;
                    break;
                default:
                    return $"unexpected or repeated key '{key}' in NPY header";
            }

            SkipSpaces();
            if (!Consume(','))
            {
                SkipSpaces();
                if (!Consume('}'))
                {
                    return "malformed NPY header dict";
                }

                break;
            }
        }

        SkipSpaces();
        if (_position != _text.Length)
        {
            return "trailing characters after the NPY header dict";
        }

        return sawDescr && sawOrder && sawShape ? null : "NPY header lacks descr, fortran_order or shape";
    }

    private string? ReadShape(out long[] shape)
    {
        shape = [];
        if (!Consume('('))
        {
            return "shape is not a tuple";
        }

        var dims = new List<long>();
        while (true)
        {
            SkipSpaces();
            if (Consume(')'))
            {
                break;
            }

            if (dims.Count == SegmentLimits.MaxDimensions)
            {
                return $"more than {SegmentLimits.MaxDimensions} dimensions";
            }

            int start = _position;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position]) && _position - start < 11)
            {
                _position++;
            }

            if (_position == start || !long.TryParse(_text.AsSpan(start, _position - start), out long dim) || dim > int.MaxValue)
            {
                return "shape dimension is not an integer in [0, 2^31)";
            }

            dims.Add(dim);
            SkipSpaces();
            if (!Consume(','))
            {
                SkipSpaces();
                if (!Consume(')'))
                {
                    return "malformed shape tuple";
                }

                break;
            }
        }

        shape = [.. dims];
        return null;
    }

    private string? ReadQuoted()
    {
        if (_position >= _text.Length || _text[_position] is not ('\'' or '"'))
        {
            return null;
        }

        char quote = _text[_position++];
        int end = _text.IndexOf(quote, _position);
        if (end < 0)
        {
            return null;
        }

        string value = _text[_position..end];
        _position = end + 1;
        return value;
    }

    private bool ConsumeWord(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0)
        {
            _position += word.Length;
            return true;
        }

        return false;
    }

    private bool Consume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\n')
        {
            _position++;
        }
    }
}
