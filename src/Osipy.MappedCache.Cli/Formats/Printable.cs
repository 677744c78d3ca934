using System.Globalization;
using System.Text;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Text from a file (a dtype, a dict key, a description), made safe to print in a message: control
/// characters are written as escapes (<c>\0</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>, else <c>\xHH</c>),
/// so a corrupt header can neither cut a message short nor send escape sequences to the terminal.
/// </summary>
internal static class Printable
{
    /// <summary><paramref name="text"/> with every control character (C0, DEL, C1) escaped; other characters as they are.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '\0' => @"\0",
                '\t' => @"\t",
                '\n' => @"\n",
                '\r' => @"\r",
                _ when char.IsControl(c) => @"\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
