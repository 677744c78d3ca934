namespace Osipy.MappedCache.Cli.Formats;

/// <summary>The one shape of a format error: the file's path, then what is wrong with it.</summary>
internal static class InvalidFile
{
    public static InvalidDataException Exception(string path, string problem, Exception? inner = null) =>
        new($"{path}: {problem}", inner);
}
