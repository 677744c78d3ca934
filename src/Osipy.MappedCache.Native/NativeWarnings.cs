using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Osipy.MappedCache.Native;

/// <summary>
/// The library's warnings (a remote tier out of reach, a corrupt segment set aside), kept for the
/// caller to take with osipy_take_warning: a C program or the Python package decides where they
/// go (Python: the "osipy_mappedcache" logger). Bounded: past <see cref="Capacity"/> untaken
/// warnings, new ones are dropped and counted in the next one taken.
/// </summary>
internal sealed class NativeWarnings : ILogger
{
    private const int Capacity = 64;

    private readonly ConcurrentQueue<string> _queue = new();
    private int _dropped;

    public static NativeWarnings Shared { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        if (_queue.Count >= Capacity)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(formatter(state, exception));
    }

    /// <summary>The oldest untaken warning, or null.</summary>
    public string? Take()
    {
        if (!_queue.TryDequeue(out string? warning))
        {
            return null;
        }

        int dropped = Interlocked.Exchange(ref _dropped, 0);
        return dropped == 0 ? warning : $"{warning} ({dropped} later warning(s) were dropped: nobody took them)";
    }
}
