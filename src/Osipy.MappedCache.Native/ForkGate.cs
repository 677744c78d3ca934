using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>
/// Makes fork() safe while other threads are inside the library. A forked child has only the
/// thread that forked; a thread that was running managed code at that moment (inside an export)
/// leaves, in the child, runtime and library locks held forever and a runtime that waits for it
/// at its first garbage collection. So fork handlers registered with the C library
/// (<c>__register_atfork</c>, what <c>pthread_atfork</c> calls) hold a fork until no other thread
/// is inside an export, and keep new calls out until it is done.
/// </summary>
/// <remarks>
/// <para>
/// Every export enters the gate (<see cref="Enter"/>) and leaves it on return; a call made from
/// inside a call (a fill callback that calls back in) passes without counting again. The gate is
/// a <c>pthread_mutex_t</c> and a <c>pthread_cond_t</c>, not managed locks: a thread waiting at it
/// is blocked in the kernel outside managed code's view, and the handlers, which run inside
/// fork(), never wait on something managed.
/// </para>
/// <para>
/// The wait is bounded (<see cref="QuietWaitSeconds"/>), and a fork from inside a call (a fill
/// callback that forks) does not wait at all: another thread may be waiting for that very fill.
/// A fork made while other calls are still inside (a fill callback that runs for minutes in
/// another thread, say) goes ahead, and the child it gives is marked: every export there but
/// the error and string calls fails with OSIPY_WRONG_PROCESS and a message that names the fix,
/// instead of a hang.
/// Bindings with their own lock around calls (Python's GIL) quiesce first, with that lock
/// released (<see cref="PrepareAhead"/>, osipy_cache_prepare_fork), so the wait never holds a lock
/// a callback needs.
/// </para>
/// </remarks>
internal static unsafe partial class ForkGate
{
    /// <summary>How long a fork waits for other threads' calls to return before it forks without them.</summary>
    internal const int QuietWaitSeconds = 5;

    private const int MonotonicClock = 1; // CLOCK_MONOTONIC
    private const int TimedOut = 110; // ETIMEDOUT

    // glibc's PTHREAD_MUTEX_INITIALIZER and PTHREAD_COND_INITIALIZER are all zero bytes, so zeroed
    // memory is an initialised mutex and condition, and zeroing again in the child resets them.
    private static readonly void* s_mutex = NativeMemory.AllocZeroed(64); // pthread_mutex_t: 40 bytes on x86-64 and arm64
    private static readonly void* s_calls = NativeMemory.AllocZeroed(64); // pthread_cond_t: 48 bytes

    private static int s_inside; // threads inside an export (each counted once, however deep)
    private static bool s_forking; // a fork is waiting or under way: new calls wait
    private static bool s_forkingThreadInside;
    private static bool s_quiet; // the fork under way found no other thread inside
    private static volatile bool s_untrustedChild; // this process was forked while other calls were inside

    [ThreadStatic]
    private static int t_depth;

    [ThreadStatic]
    private static bool t_forking;

    static ForkGate() => _ = RegisterAtFork(&Prepare, &ResumeInParent, &StartInChild, null);

    /// <summary>Enters an export; dispose the scope when it returns.</summary>
    /// <exception cref="WrongProcessException">This process was forked while other threads were inside the library.</exception>
    public static Scope Enter()
    {
        if (s_untrustedChild)
        {
            throw new WrongProcessException(
                "this process was forked while another thread was inside osipy_mappedcache, so the library's state here "
                + "cannot be trusted; fork when no call is in flight (not from inside a fill callback while other threads call "
                + "the cache), or start workers with the 'forkserver' or 'spawn' method (in C, exec a new program)");
        }

        return EnterAlways();
    }

    /// <summary>Enters, even in an untrusted child: for the calls that only read the last error or free a string.</summary>
    public static Scope EnterAlways()
    {
        if (t_depth++ == 0)
        {
            _ = MutexLock(s_mutex);
            while (s_forking && !t_forking)
            {
                _ = CondWait(s_calls, s_mutex);
            }

            s_inside++;
            _ = MutexUnlock(s_mutex);
        }

        return default;
    }

    private static void Exit()
    {
        if (--t_depth == 0)
        {
            _ = MutexLock(s_mutex);
            s_inside--;
            if (s_forking)
            {
                _ = CondBroadcast(s_calls);
            }

            _ = MutexUnlock(s_mutex);
        }
    }

    /// <summary>
    /// Quiesces ahead of a fork this thread is about to make: new calls of other threads wait,
    /// and this waits (boundedly) until the calls already inside return. For bindings that call
    /// it with their own lock released (osipy_cache_prepare_fork), so callbacks that need that lock
    /// can finish; the fork handler then finds the work done.
    /// </summary>
    public static void PrepareAhead()
    {
        _ = MutexLock(s_mutex);
        BeginFork();
        _ = MutexUnlock(s_mutex);
    }

    // Runs in the forking thread inside fork(). The mutex stays locked across the fork, so the
    // child's copy has no half-done Enter or Exit of another thread in it.
    [UnmanagedCallersOnly]
    private static void Prepare()
    {
        _ = MutexLock(s_mutex);
        if (!t_forking)
        {
            BeginFork();
        }

        s_quiet = s_inside == (t_depth > 0 ? 1 : 0);
        s_forkingThreadInside = t_depth > 0;
    }

    // Under the mutex: keep other threads' new calls out, then wait for those inside to return.
    private static void BeginFork()
    {
        s_forking = true;
        t_forking = true;

        // From inside a call (a fill callback that forks), other threads may be waiting for this
        // very call to finish: waiting for them would never end, so the fork does not wait.
        if (t_depth == 0)
        {
            Timespec deadline;
            _ = ClockGetTime(MonotonicClock, &deadline);
            deadline.Seconds += QuietWaitSeconds;
            while (s_inside > 0 && CondClockWait(s_calls, s_mutex, MonotonicClock, &deadline) != TimedOut)
            {
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void ResumeInParent()
    {
        s_forking = false;
        t_forking = false;
        _ = CondBroadcast(s_calls);
        _ = MutexUnlock(s_mutex);
    }

    // The child's one thread did not lock the mutex as far as its new thread id goes, and other
    // threads' waits are gone with them: start from fresh (zeroed) primitives.
    [UnmanagedCallersOnly]
    private static void StartInChild()
    {
        s_forking = false;
        t_forking = false;
        s_inside = s_forkingThreadInside ? 1 : 0;
        s_untrustedChild = !s_quiet;
        Unsafe.InitBlockUnaligned(s_mutex, 0, 64);
        Unsafe.InitBlockUnaligned(s_calls, 0, 64);
    }

    /// <summary>Leaves the export on dispose.</summary>
    public readonly ref struct Scope
    {
        public void Dispose() => Exit();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "pthread_mutex_lock")]
    private static partial int MutexLock(void* mutex);

    [LibraryImport("libc", EntryPoint = "pthread_mutex_unlock")]
    private static partial int MutexUnlock(void* mutex);

    [LibraryImport("libc", EntryPoint = "pthread_cond_wait")]
    private static partial int CondWait(void* condition, void* mutex);

    [LibraryImport("libc", EntryPoint = "pthread_cond_clockwait")]
    private static partial int CondClockWait(void* condition, void* mutex, int clock, Timespec* deadline);

    [LibraryImport("libc", EntryPoint = "pthread_cond_broadcast")]
    private static partial int CondBroadcast(void* condition);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, Timespec* now);

    // glibc's pthread_atfork is a static stub that calls this with the caller's DSO handle; null:
    // registered for the life of the process (the library is never unloaded).
    [LibraryImport("libc", EntryPoint = "__register_atfork")]
    private static partial int RegisterAtFork(delegate* unmanaged<void> prepare, delegate* unmanaged<void> parent, delegate* unmanaged<void> child, void* dsoHandle);
}
