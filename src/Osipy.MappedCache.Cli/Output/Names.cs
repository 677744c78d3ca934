using System.Numerics;

namespace Osipy.MappedCache.Cli.Output;

/// <summary>The names the tool prints: numpy's dtype names and the seed's policy names.</summary>
internal static class Names
{
    private static readonly Dictionary<Type, string> s_dtypes = new()
    {
        [typeof(bool)] = "bool",
        [typeof(sbyte)] = "int8",
        [typeof(byte)] = "uint8",
        [typeof(short)] = "int16",
        [typeof(ushort)] = "uint16",
        [typeof(int)] = "int32",
        [typeof(uint)] = "uint32",
        [typeof(long)] = "int64",
        [typeof(ulong)] = "uint64",
        [typeof(Half)] = "float16",
        [typeof(float)] = "float32",
        [typeof(double)] = "float64",
        [typeof(Complex64)] = "complex64",
        [typeof(Complex)] = "complex128",
    };

    public static string DType(Type type) => s_dtypes.TryGetValue(type, out string? name) ? name : type.Name;

    public static string Policy(RetentionPolicy policy) => policy.ToString().ToUpperInvariant();

    /// <summary>A policy from its name, any case (TRANSIENT, CACHED, PERSISTENT).</summary>
    public static bool TryParsePolicy(string text, out RetentionPolicy policy) =>
        Enum.TryParse(text, ignoreCase: true, out policy) && Enum.IsDefined(policy);

    /// <summary>"2h 05m", "3d 4h", "12 s": an age at a glance.</summary>
    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0 s",
        < 60 => $"{age.TotalSeconds:F0} s",
        < 3600 => $"{(int)age.TotalMinutes}m {age.Seconds:D2}s",
        < 86400 => $"{(int)age.TotalHours}h {age.Minutes:D2}m",
        _ => $"{(int)age.TotalDays}d {age.Hours}h",
    };

    public static string Shape(IReadOnlyList<int> shape) => shape.Count == 0 ? "()" : string.Join('x', shape);
}
