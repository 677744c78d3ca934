using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>
/// What a get hands to C as an <c>osipy_lease</c>: the lease on one array, or on every array of a
/// bundle, with the arrays' names as native UTF-8; all freed together by <c>osipy_cache_release</c>.
/// </summary>
internal sealed unsafe class NativeLease : IDisposable
{
    /// <summary>OSIPY_KIND_ARRAY and OSIPY_KIND_BUNDLE in the header.</summary>
    public const int ArrayKind = 1;
    public const int BundleKind = 2;

    private readonly IDisposable _owner;
    private readonly MappedArray[] _arrays;
    private readonly nint[] _names;

    private NativeLease(IDisposable owner, int kind, MappedArray[] arrays, IEnumerable<string> names)
    {
        _owner = owner;
        Kind = kind;
        _arrays = arrays;
        _names = [.. names.Select(name => (nint)NativeStrings.Allocate(name))];
    }

    public int Kind { get; }

    public int Count => _arrays.Length;

    public static NativeLease Of(MappedArray array) => new(array, ArrayKind, [array], [string.Empty]);

    public static NativeLease Of(MappedBundle bundle) => new(bundle, BundleKind, [.. bundle.Values], bundle.Keys);

    /// <exception cref="ArgumentOutOfRangeException">No array has that index.</exception>
    public MappedArray Array(int index) =>
        (uint)index < (uint)_arrays.Length ? _arrays[index] : throw new ArgumentOutOfRangeException("index", index, $"index {index} is out of range: the lease holds {_arrays.Length} array(s).");

    public byte* Name(int index) => (byte*)_names[index];

    /// <summary>
    /// The same arrays over a new private, copy-on-write mapping of the same file, with their own
    /// lease: writes through it change nothing any other lease, process or the file sees. Null if
    /// the file is no longer the entry's (invalidated or replaced since the get).
    /// </summary>
    public NativeLease? PrivateTwin()
    {
        MappedArray first = _arrays[0];
        using Mapping.SegmentMapping? twin = first.Mapping.TryMapPrivateTwin();
        if (twin is null)
        {
            return null;
        }

        // The leases below take their own references; disposing the twin drops only the owner's.
        return Kind == ArrayKind
            ? Of(MappedArray.Lease(twin, first.Entry, first.Record))
            : Of(new MappedBundle(twin, first.Entry, [.. _arrays.Select(array => array.Record)]));
    }

    public void Dispose()
    {
        _owner.Dispose();
        foreach (nint name in _names)
        {
            NativeMemory.Free((void*)name);
        }
    }
}
