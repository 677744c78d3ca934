namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// The Python dict literal of an NPY header, parsed strictly: exactly the keys <c>'descr'</c>,
/// <c>'fortran_order'</c> and <c>'shape'</c>, each once and in any order, with a string, a boolean and
/// a tuple of non-negative integers as their values, and nothing else (no expressions, no escapes).
/// </summary>
internal readonly record struct NpyDictionary(string Descr, bool FortranOrder, long[] Shape)
{
    /// <summary>Parses <paramref name="text"/>, or returns what is wrong with it in <paramref name="error"/>.</summary>
    public static bool TryParse(string text, out NpyDictionary dictionary, out string error) =>
        new Parser(text).TryParse(out dictionary, out error);

    private ref struct Parser(string text)
    {
        private readonly string _text = text;
        private int _position;

        public bool TryParse(out NpyDictionary dictionary, out string error)
        {
            dictionary = default;
            string? descr = null;
            bool? fortranOrder = null;
            long[]? shape = null;
            error = Expect('{', "the header is not a dict");
            while (error.Length == 0)
            {
                SkipSpaces();
                if (Consume('}'))
                {
                    break;
                }

                string? key = ReadString();
                SkipSpaces();
                if (key is null || !Consume(':'))
                {
                    error = "a dict key is not a quoted string followed by ':'";
                    break;
                }

                SkipSpaces();
                switch (key)
                {
                    case "descr" when descr is null:
                        descr = ReadString();
                        error = descr is not null ? ""
                            : Peek() == '[' ? "structured dtypes (a list as descr) are not supported" : "'descr' is not a string";
                        break;
                    case "fortran_order" when fortranOrder is null:
                        fortranOrder = ReadBoolean();
                        error = fortranOrder is not null ? "" : "'fortran_order' is not True or False";
                        break;
                    case "shape" when shape is null:
                        error = ReadShape(out shape);
                        break;
                    case "descr" or "fortran_order" or "shape":
                        error = $"the key '{key}' appears twice";
                        break;
                    default:
                        // The key comes from the file: show enough of it to recognise, not a megabyte.
                        error = $"unexpected key '{Printable.Escape(key.Length > 40 ? key[..40] + "..." : key)}' (an NPY header holds only 'descr', 'fortran_order' and 'shape')";
                        break;
                }

                if (error.Length == 0)
                {
                    SkipSpaces();
                    if (!Consume(','))
                    {
                        error = Expect('}', "the dict entries are not separated by ',' or closed by '}'");
                        break;
                    }
                }
            }

            if (error.Length == 0)
            {
                SkipSpaces();
                error = _position != _text.Length ? "there is something after the dict"
                    : descr is null || fortranOrder is null || shape is null ? "the dict lacks 'descr', 'fortran_order' or 'shape'"
                    : "";
            }

            if (error.Length != 0)
            {
                return false;
            }

            dictionary = new NpyDictionary(descr!, fortranOrder!.Value, shape!);
            return true;
        }

        private string ReadShape(out long[]? shape)
        {
            shape = null;
            if (!Consume('('))
            {
                return "'shape' is not a tuple";
            }

            var dims = new List<long>();
            bool trailingComma = false;
            while (true)
            {
                SkipSpaces();
                if (Consume(')'))
                {
                    break;
                }

                if (dims.Count == FormatLimits.MaxNpyDimensions)
                {
                    return $"the shape has more than {FormatLimits.MaxNpyDimensions} dimensions";
                }

                if (Peek() == '-')
                {
                    return "the shape has a negative dimension";
                }

                int start = _position;
                while (char.IsAsciiDigit(Peek()))
                {
                    _position++;
                }

                if (_position == start)
                {
                    return "a shape dimension is not an integer";
                }

                if (!long.TryParse(_text.AsSpan(start, _position - start), out long dim))
                {
                    return $"the shape dimension {_text[start.._position]} is too large";
                }

                // Python 2's repr of a long ("5L") appears in headers written by old NumPy versions.
                Consume('L');
                dims.Add(dim);
                SkipSpaces();
                trailingComma = Consume(',');
                if (!trailingComma)
                {
                    SkipSpaces();
                    if (!Consume(')'))
                    {
                        return "the shape tuple is malformed";
                    }

                    break;
                }
            }

            // "(5)" is the integer 5 in Python, not a tuple.
            if (dims.Count == 1 && !trailingComma)
            {
                return "'shape' is not a tuple (a one-element tuple needs a trailing comma)";
            }

            shape = [.. dims];
            return "";
        }

        private string? ReadString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                return null;
            }

            int end = _text.IndexOf(quote, _position + 1);
            if (end < 0 || _text.AsSpan(_position + 1, end - _position - 1).Contains('\\'))
            {
                return null;
            }

            string value = _text[(_position + 1)..end];
            _position = end + 1;
            return value;
        }

        private bool? ReadBoolean() => ConsumeWord("True") ? true : ConsumeWord("False") ? false : null;

        private bool ConsumeWord(string word)
        {
            if (_text.AsSpan(_position).StartsWith(word, StringComparison.Ordinal)
                && !char.IsAsciiLetterOrDigit(_position + word.Length < _text.Length ? _text[_position + word.Length] : ' '))
            {
                _position += word.Length;
                return true;
            }

            return false;
        }

        private string Expect(char c, string error)
        {
            SkipSpaces();
            return Consume(c) ? "" : error;
        }

        private readonly char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private bool Consume(char c)
        {
            if (Peek() != c)
            {
                return false;
            }

            _position++;
            return true;
        }

        private void SkipSpaces()
        {
            while (Peek() is ' ' or '\t' or '\n' or '\r')
            {
                _position++;
            }
        }
    }
}
