namespace Osipy.MappedCache.Caching;

/// <summary>
/// A session's side of the remote tier's coherence: the node's files (<see cref="RemoteNodeFiles"/>),
/// the journal of changes not yet sent (<see cref="PendingRemoteChanges"/>), the tier's health
/// (<see cref="RemoteHealth"/>), and the background check that keeps the node's copies in step
/// with the tier's change log: woken by the tier's notices, and run every
/// <see cref="CheckInterval"/> in case a notice was lost, or to end a back-off.
/// </summary>
/// <remarks>
/// One check runs at a time per session; a wake-up during a check makes it run once more.
/// Thread-safe. Dispose stops the checks and waits for a running one.
/// </remarks>
internal sealed class RemoteNode : IDisposable
{
    /// <summary>How often a session reads the change log without being woken.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Action<bool> _check;
    private readonly object _noticed = new();
    private int _notices;
    private readonly Timer _timer;
    private readonly object _running = new();
    private int _again;
    private bool _disposed;

    /// <param name="cacheDir">The cache directory (the node).</param>
    /// <param name="health">The tier's health.</param>
    /// <param name="check">One coherence check; its argument says to try the tier even while backing off.</param>
    public RemoteNode(string cacheDir, RemoteHealth health, Action<bool> check)
    {
        Files = new RemoteNodeFiles(cacheDir);
        Pending = new PendingRemoteChanges(Files.PendingDirectory);
        Health = health;
        _check = check;
        _timer = new Timer(_ => Tick(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public RemoteNodeFiles Files { get; }

    public PendingRemoteChanges Pending { get; }

    public RemoteHealth Health { get; }

    /// <summary>Starts the periodic checks (after the session's first, synchronous one).</summary>
    public void Start() => _timer.Change(CheckInterval, CheckInterval);

    /// <summary>Asks for a check soon, on a pool thread (a notice arrived, or an outage ended).</summary>
    public void Wake() => ThreadPool.UnsafeQueueUserWorkItem(_ => RunCheck(), null);

    /// <summary>Runs a check on this thread now, or makes the running one go again.</summary>
    public void RunCheck()
    {
        Interlocked.Exchange(ref _again, 1);
        if (!Monitor.TryEnter(_running))
        {
            return; // the running check sees _again and goes once more
        }

        try
        {
            while (!_disposed && Interlocked.Exchange(ref _again, 0) == 1)
            {
                _check(false);
            }
        }
        finally
        {
            Monitor.Exit(_running);
        }
    }

    /// <summary>
    /// Runs a check on this thread that starts after this call, waiting for a running one first,
    /// and tries the tier even while backing off: when it returns, every change the tier had
    /// committed before the call is applied here and every journalled change sent (if the tier answered).
    /// </summary>
    public void CheckNow()
    {
        lock (_running)
        {
            if (!_disposed)
            {
                _check(true);
            }
        }
    }

    /// <summary>A notice arrived from the tier: counted, and a check is asked for.</summary>
    public void Noticed()
    {
        lock (_noticed)
        {
            _notices++;
            Monitor.PulseAll(_noticed);
        }

        Wake();
    }

    /// <summary>Waits until at least <paramref name="count"/> notices have arrived (or the timeout ends); returns how many have.</summary>
    public int WaitForNotices(int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        lock (_noticed)
        {
            while (_notices < count && deadline - DateTime.UtcNow is { Ticks: > 0 } left)
            {
                Monitor.Wait(_noticed, left);
            }

            return _notices;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_running)
        {
            _disposed = true;
        }
    }

    private void Tick()
    {
        // While backing off, only a check whose back-off has ended tries the tier (it is the probe).
        if (Health.ShouldTry || Health.BackOffEnded)
        {
            RunCheck();
        }
    }
}
