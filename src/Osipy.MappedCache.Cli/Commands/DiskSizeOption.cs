using System.CommandLine;
using System.Globalization;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary><c>--max-disk SIZE</c>: a disk budget as <c>500M</c>, <c>20G</c>, <c>1T</c> (binary units) or a plain number of MiB, read as whole MiB.</summary>
internal static class DiskSizeOption
{
    public static Option<long?> Create(string description) => new("--max-disk")
    {
        Description = description,
        HelpName = "SIZE",
        CustomParser = result =>
        {
            string text = result.Tokens.Single().Value;
            if (TryParseMb(text, out long mb))
            {
                return mb;
            }

            result.AddError($"--max-disk '{text}' is not a size: give a whole number with M, G or T (binary units), for example 500M or 20G, or a number of MiB.");
            return null;
        },
    };

    /// <summary>Parses <paramref name="text"/> as MiB: <c>N</c> or <c>NM</c> MiB, <c>NG</c> GiB, <c>NT</c> TiB; positive.</summary>
    public static bool TryParseMb(string text, out long mb)
    {
        mb = 0;
        text = text.Trim();
        long scale = text.Length == 0 ? 1 : char.ToUpperInvariant(text[^1]) switch
        {
            'M' => 1,
            'G' => 1024,
            'T' => 1024 * 1024,
            _ => 0,
        };
        string digits = scale == 0 ? text : text[..^1];
        scale = scale == 0 ? 1 : scale;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > long.MaxValue / (1024 * 1024 * scale))
        {
            return false;
        }

        mb = value * scale;
        return true;
    }
}
