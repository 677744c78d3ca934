using Osipy.MappedCache.Cli.Synthesis;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>The options of <c>demo</c>, parsed from its arguments.</summary>
internal sealed record DemoOptions
{
    public VolumeSize Size { get; init; } = VolumeSize.Default;

    /// <summary>Null means the library's default directory.</summary>
    public string? CacheDir { get; init; }

    public bool ShowHelp { get; init; }

    /// <returns>The options, or null with <paramref name="error"/> set when the arguments are not understood.</returns>
    public static DemoOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new DemoOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
            {
                return options with { ShowHelp = true };
            }

            if (arg is not ("--size" or "--cache-dir"))
            {
                error = $"unknown option '{arg}'.";
                return null;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{arg} needs a value.";
                return null;
            }

            string value = args[++i];
            if (arg == "--cache-dir")
            {
                options = options with { CacheDir = value };
            }
            else if (VolumeSize.TryParse(value, out VolumeSize size, out error))
            {
                options = options with { Size = size };
            }
            else
            {
                return null;
            }
        }

        return options;
    }
}
