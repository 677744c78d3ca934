using System.Collections.Concurrent;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Native;

/// <summary>
/// The writers whose memory a C caller is filling now, by the data address it was given
/// (osipy_cache_create's out_data, or the pointer a get_or_create fill callback receives), so that
/// osipy_cache_keep_memory can find the mapping from the pointer alone. Thread-safe.
/// </summary>
internal static unsafe class FillingWriters
{
    private static readonly ConcurrentDictionary<nint, SegmentMapping> s_byAddress = new();

    /// <summary>Registers <paramref name="writer"/>'s data until the returned registration is disposed (at commit or abandon).</summary>
    public static IDisposable Register(IUntypedWriter writer)
    {
        nint address = (nint)NativeArguments.AddressOf(writer.View);
        s_byAddress[address] = writer.View.Mapping;
        return new Registration(address);
    }

    /// <summary>The mapping of the writer whose data starts at <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentException">No writer being filled has its data there.</exception>
    public static SegmentMapping At(nint address) =>
        s_byAddress.TryGetValue(address, out SegmentMapping? mapping)
            ? mapping
            : throw new ArgumentException($"0x{address:x} is not the data of a writer being filled (osipy_cache_create's out_data before its commit or abandon, or the data a fill callback is given, during the callback).", "data");

    private sealed class Registration(nint address) : IDisposable
    {
        public void Dispose() => s_byAddress.TryRemove(address, out _);
    }
}
