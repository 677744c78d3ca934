using Microsoft.Extensions.Logging;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// Whether the remote tier is worth calling now. After a failure the tier is skipped for a
/// back-off that doubles from 1 s up to 1 min, so local work runs at local speed during an
/// outage instead of waiting out a timeout on every call; the session's background check tries
/// the tier again when the back-off ends. One warning per outage, one note when it ends.
/// </summary>
/// <remarks>Thread-safe; <see cref="ShouldTry"/> is one volatile read.</remarks>
internal sealed class RemoteHealth(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestBackOff = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private long _retryAtTicks; // 0 while healthy
    private TimeSpan _backOff = FirstBackOff;

    /// <summary>False while backing off: the caller goes on locally without calling the tier.</summary>
    public bool ShouldTry => Volatile.Read(ref _retryAtTicks) == 0;

    /// <summary>Whether a back-off has ended, so the background check should try the tier again.</summary>
    public bool BackOffEnded
    {
        get
        {
            long at = Volatile.Read(ref _retryAtTicks);
            return at != 0 && time.GetUtcNow().UtcTicks >= at;
        }
    }

    public bool IsDown => Volatile.Read(ref _retryAtTicks) != 0;

    public void Failed(string operation, Exception ex)
    {
        lock (_lock)
        {
            bool wasUp = _retryAtTicks == 0;
            _retryAtTicks = time.GetUtcNow().UtcTicks + _backOff.Ticks;
            if (wasUp)
            {
                Log.RemoteOutage(logger, operation, ex.Message, _backOff.TotalSeconds);
            }

            _backOff = _backOff * 2 > LongestBackOff ? LongestBackOff : _backOff * 2;
        }
    }

    /// <returns>Whether this ended an outage (the caller then replays what it journalled).</returns>
    public bool Succeeded()
    {
        if (Volatile.Read(ref _retryAtTicks) == 0)
        {
            return false;
        }

        lock (_lock)
        {
            if (_retryAtTicks == 0)
            {
                return false;
            }

            _retryAtTicks = 0;
            _backOff = FirstBackOff;
            Log.RemoteBack(logger);
            return true;
        }
    }
}
