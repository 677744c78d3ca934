namespace Osipy.MappedCache.Cli.Output;

/// <summary>Aligned timing lines for the console: what was done, how long it took, on how many bytes.</summary>
internal static class Report
{
    private const double BytesPerMib = 1024 * 1024;
    private const int LabelWidth = 40;

    public static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine(text);
    }

    public static void Line(string text) => Console.WriteLine("  " + text);

    /// <summary>One timed step; throughput is shown when <paramref name="bytes"/> is given, unless the step reads no data.</summary>
    public static void Timing(string label, TimeSpan elapsed, long? bytes = null, bool showRate = true, string? note = null)
    {
        string size = bytes is { } b ? $"{Size(b),12}" : new string(' ', 12);
        string rate = bytes is { } n && showRate && elapsed > TimeSpan.Zero ? $"{n / BytesPerMib / elapsed.TotalSeconds,10:F0} MiB/s" : new string(' ', 16);
        Console.WriteLine($"  {label.PadRight(LabelWidth)}{Duration(elapsed),11}{size}  {rate}{(note is null ? string.Empty : "  " + note)}".TrimEnd());
    }

    /// <summary>MiB with one decimal; KiB or bytes below that, so small studies do not read as 0.0 MiB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes / BytesPerMib:F1} MiB",
    };

    /// <summary>Microseconds below a millisecond, so a constant-time get reads as such.</summary>
    public static string Duration(TimeSpan elapsed) => elapsed.TotalMilliseconds switch
    {
        < 1 => $"{elapsed.TotalMicroseconds:F1} µs",
        < 1000 => $"{elapsed.TotalMilliseconds:F1} ms",
        _ => $"{elapsed.TotalSeconds:F2} s",
    };
}
