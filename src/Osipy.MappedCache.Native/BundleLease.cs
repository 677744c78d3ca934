using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>A bundle handed to C: the leases on its arrays and their names as native UTF-8, freed together.</summary>
internal sealed unsafe class BundleLease : IDisposable
{
    private readonly MappedBundle _bundle;
    private readonly MappedArray[] _arrays;
    private readonly nint[] _names;

    public BundleLease(MappedBundle bundle)
    {
        _bundle = bundle;
        _arrays = [.. bundle.Values];
        _names = [.. bundle.Keys.Select(name => (nint)NativeStrings.Allocate(name))];
    }

    public int Count => _arrays.Length;

    public MappedArray Array(int index) =>
        (uint)index < (uint)_arrays.Length ? _arrays[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"The bundle has {_arrays.Length} arrays.");

    public byte* Name(int index) => (byte*)_names[index];

    public void Dispose()
    {
        _bundle.Dispose();
        foreach (nint name in _names)
        {
            NativeMemory.Free((void*)name);
        }
    }
}
