using System.Collections.Concurrent;

namespace Osipy.MappedCache.Native;

/// <summary>A handle the C caller passed that is null, unknown, of the wrong kind, or already released.</summary>
internal sealed class BadHandleException(string message) : Exception(message);

/// <summary>
/// Opaque handles for C callers: numbers that index a table of managed objects, never addresses.
/// An unknown or released handle is found missing and reported, so a double release or a stale
/// handle is an error code, not a crash. Numbers are never reused within a process.
/// </summary>
/// <remarks>
/// Each handle belongs to the process that was issued it. A child forked from that process inherits
/// the table, but every use there fails with <see cref="WrongProcessException"/>: its parent's
/// session, leases and writers are not the child's to touch (a child must open its own cache).
/// Thread-safe.
/// </remarks>
internal static class Handles
{
    private static readonly ConcurrentDictionary<nint, Entry> s_objects = new();
    private static long s_last;

    public static nint Add(object value)
    {
        // Multiples of 16 look like aligned pointers to C debuggers and never collide with small integers.
        nint handle = (nint)(Interlocked.Increment(ref s_last) * 16);
        s_objects[handle] = new Entry(value, NativeProcess.Id);
        return handle;
    }

    /// <exception cref="BadHandleException">The handle is null, unknown, or not a <typeparamref name="T"/>.</exception>
    /// <exception cref="WrongProcessException">The handle was issued in another process (this one is a forked child).</exception>
    public static T Get<T>(nint handle, string kind)
        where T : class =>
        s_objects.TryGetValue(handle, out Entry? entry) && entry.Value is T typed ? InThisProcess(entry, typed, kind) : throw Bad(handle, kind);

    /// <summary>Takes the object out of the table: the handle is dead from now on.</summary>
    /// <exception cref="BadHandleException">The handle is null, unknown (a second release), or not a <typeparamref name="T"/>.</exception>
    /// <exception cref="WrongProcessException">The handle was issued in another process.</exception>
    public static T Remove<T>(nint handle, string kind)
        where T : class =>
        (T)Remove(handle, kind, value => value is T);

    /// <summary>Takes a lease out of the table: what a get handed out, and nothing else (never a cache or a writer).</summary>
    /// <exception cref="BadHandleException">The handle is null, unknown, or a cache or writer handle.</exception>
    /// <exception cref="WrongProcessException">The handle was issued in another process.</exception>
    public static IDisposable RemoveLease(nint handle) => (IDisposable)Remove(handle, "lease", value => value is NativeLease);

    private static object Remove(nint handle, string kind, Func<object, bool> isKind)
    {
        if (s_objects.TryGetValue(handle, out Entry? entry) && isKind(entry.Value))
        {
            InThisProcess(entry, entry.Value, kind);
            if (s_objects.TryRemove(new KeyValuePair<nint, Entry>(handle, entry)))
            {
                return entry.Value;
            }
        }

        throw Bad(handle, kind);
    }

    private static T InThisProcess<T>(Entry entry, T value, string kind)
    {
        int self = NativeProcess.Id;
        return entry.Process == self
            ? value
            : throw new WrongProcessException(
                $"This {kind} handle belongs to process {entry.Process}, and process {self} is a child forked from it: "
                + "a forked process must open its own cache with osipy_cache_open (the parent's session, leases and writers stay the parent's).");
    }

    private sealed record Entry(object Value, int Process);

    private static BadHandleException Bad(nint handle, string kind) =>
        new(handle == 0 ? $"The {kind} handle is NULL." : $"0x{handle:x} is not a live {kind} handle (never issued, already released, or another kind).");
}
