using System.Collections.Concurrent;

namespace Osipy.MappedCache.Native;

/// <summary>A handle the C caller passed that is null, unknown, of the wrong kind, or already released.</summary>
internal sealed class BadHandleException(string message) : Exception(message);

/// <summary>
/// Opaque handles for C callers: numbers that index a table of managed objects, never addresses.
/// An unknown or released handle is found missing and reported, so a double release or a stale
/// handle is an error code, not a crash. Numbers are never reused within a process.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal static class Handles
{
    private static readonly ConcurrentDictionary<nint, object> s_objects = new();
    private static long s_last;

    public static nint Add(object value)
    {
        // Multiples of 16 look like aligned pointers to C debuggers and never collide with small integers.
        nint handle = (nint)(Interlocked.Increment(ref s_last) * 16);
        s_objects[handle] = value;
        return handle;
    }

    /// <exception cref="BadHandleException">The handle is null, unknown, or not a <typeparamref name="T"/>.</exception>
    public static T Get<T>(nint handle, string kind)
        where T : class =>
        s_objects.TryGetValue(handle, out object? value) && value is T typed ? typed : throw Bad(handle, kind);

    /// <summary>Takes the object out of the table: the handle is dead from now on.</summary>
    /// <exception cref="BadHandleException">The handle is null, unknown (a second release), or not a <typeparamref name="T"/>.</exception>
    public static T Remove<T>(nint handle, string kind)
        where T : class
    {
        if (s_objects.TryGetValue(handle, out object? value) && value is T typed && s_objects.TryRemove(new KeyValuePair<nint, object>(handle, value)))
        {
            return typed;
        }

        throw Bad(handle, kind);
    }

    /// <summary>Takes a lease out of the table: an array from a get or a bundle from get_bundle, and nothing else.</summary>
    /// <exception cref="BadHandleException">The handle is null, unknown, or a cache or writer handle.</exception>
    public static IDisposable RemoveLease(nint handle)
    {
        if (s_objects.TryGetValue(handle, out object? value) && value is MappedArray or BundleLease && s_objects.TryRemove(new KeyValuePair<nint, object>(handle, value)))
        {
            return (IDisposable)value;
        }

        throw Bad(handle, "lease");
    }

    private static BadHandleException Bad(nint handle, string kind) =>
        new(handle == 0 ? $"The {kind} handle is NULL." : $"0x{handle:x} is not a live {kind} handle (never issued, already released, or another kind).");
}
