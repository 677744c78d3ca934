using System.Numerics;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>Work to do with the .NET element type of an entry or a file, as a type parameter.</summary>
internal interface IElementVisitor<out TResult>
{
    TResult Visit<T>()
        where T : unmanaged;
}

/// <summary>From a run-time element type (an entry's, a file's) to the generic calls of the library.</summary>
internal static class ElementTypes
{
    public static TResult Dispatch<TResult>(Type type, IElementVisitor<TResult> visitor) => type switch
    {
        _ when type == typeof(float) => visitor.Visit<float>(),
        _ when type == typeof(double) => visitor.Visit<double>(),
        _ when type == typeof(Half) => visitor.Visit<Half>(),
        _ when type == typeof(sbyte) => visitor.Visit<sbyte>(),
        _ when type == typeof(byte) => visitor.Visit<byte>(),
        _ when type == typeof(short) => visitor.Visit<short>(),
        _ when type == typeof(ushort) => visitor.Visit<ushort>(),
        _ when type == typeof(int) => visitor.Visit<int>(),
        _ when type == typeof(uint) => visitor.Visit<uint>(),
        _ when type == typeof(long) => visitor.Visit<long>(),
        _ when type == typeof(ulong) => visitor.Visit<ulong>(),
        _ when type == typeof(bool) => visitor.Visit<bool>(),
        _ when type == typeof(Complex64) => visitor.Visit<Complex64>(),
        _ when type == typeof(Complex) => visitor.Visit<Complex>(),
        _ => throw new NotSupportedException($"Element type {type} is not one the cache stores."),
    };

    /// <summary>The array entry (type, key) for its element type; null if it went meanwhile.</summary>
    public static MappedArray? Get(IntermediateCache cache, string resultType, string key, Type elementType) =>
        Dispatch(elementType, new GetArray(cache, resultType, key));

    private sealed class GetArray(IntermediateCache cache, string resultType, string key) : IElementVisitor<MappedArray?>
    {
        public MappedArray? Visit<T>()
            where T : unmanaged => cache.Get<T>(resultType, key);
    }
}
