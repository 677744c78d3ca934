using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The remote tier of <see cref="CacheConfig.Remote"/> on a Redis Cluster (Redis 7, Valkey, Garnet
/// or a managed Redis), through StackExchange.Redis: each PERSISTENT segment is stored as chunks
/// spread over the cluster's slots and a small manifest committed last, atomically with an entry in
/// a durable change log that every node replays.
/// </summary>
/// <remarks>
/// <para>Two connections: one for control traffic (manifests, the log, leases) and one for bulk
/// chunk traffic, so a manifest look-up never queues behind megabytes of chunks (StackExchange.Redis's
/// own advice for large values). Both connect lazily, on first use, and never fail construction:
/// an unreachable cluster makes calls throw within <see cref="RedisRemoteTierOptions.OperationTimeout"/>,
/// and the cache counts that and goes on locally.</para>
/// <para>Integrity: every chunk's digest is in the manifest (XxHash3, or an HMAC under
/// <see cref="RedisRemoteTierOptions.SharedSecret"/>, which also authenticates the manifest); a
/// download checks each chunk before writing it, and a missing or bad chunk makes the download
/// fail and removes the manifest, so the next put heals the entry. A new upload writes new chunk
/// keys (its own version) and commits the manifest: a reader sees the old entry or the new one,
/// never a mix.</para>
/// <para>Thread-safe. Dispose closes both connections.</para>
/// </remarks>
public sealed partial class RedisRemoteTier : IRemoteTier, IDisposable
{
    private readonly RedisRemoteTierOptions _options;
    private readonly RedisKeys _keys;
    private readonly byte[]? _secret;
    private readonly ChunkDigest _digest;
    private readonly Lazy<ConnectionMultiplexer> _control;
    private long _missedRenewals;
    private readonly Lazy<ConnectionMultiplexer> _bulk;
    private int _mostChunksHeld;

    /// <summary>Creates the tier; nothing is connected until the first call.</summary>
    /// <exception cref="ArgumentException">An option is out of range, a file it names is missing, or the configuration string does not parse.</exception>
    public RedisRemoteTier(RedisRemoteTierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
        _secret = options.SharedSecret is null ? null : Encoding.UTF8.GetBytes(options.SharedSecret);
        _digest = new ChunkDigest(_secret);
        ConfigurationOptions control = RedisConnection.Configure(options, "osipy-control");
        ConfigurationOptions bulk = RedisConnection.Configure(options, "osipy-bulk");
        _control = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(control), LazyThreadSafetyMode.ExecutionAndPublication);
        _bulk = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(bulk), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private IDatabase Control => _control.Value.GetDatabase();

    private IDatabase Bulk => _bulk.Value.GetDatabase();

    /// <inheritdoc />
    /// <remarks>
    /// Reads the record it will replace first, sends every chunk under keys of its own version
    /// (which expire unless committed), then commits the manifest with a compare-and-set on that
    /// key, atomically with its change-log entry: only if it still holds what was read. An upload
    /// that lost (another upload committed, or the entry was removed, meanwhile) deletes its chunks
    /// and returns false. Chunks are requested from <paramref name="segment"/> in ascending order, on
    /// this thread, so a source that is still being written can make each request wait for its bytes.
    /// </remarks>
    public bool Upload(string resultType, string key, RemoteSegmentSource segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        string id = RedisKeys.EntryId(resultType, key);
        RedisKey manifestKey = _keys.Manifest(id);
        RedisValue replaced = Control.StringGet(manifestKey);
        RemoteManifest? previous = Decode(replaced, resultType, key);

        string version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        int count = RemoteManifest.ChunksFor(segment.Length, _options.ChunkBytes);
        var sums = new string[count];
        IDatabase bulk = Bulk;
        try
        {
            RunWindowed(count, index =>
            {
                long offset = (long)index * _options.ChunkBytes;
                ReadOnlyMemory<byte> chunk = segment.Slice(offset, (int)Math.Min(_options.ChunkBytes, segment.Length - offset));
                sums[index] = _digest.Of(id, version, index, chunk.Span);
                return bulk.StringSetAsync(_keys.Chunk(id, version, index), chunk, _options.UncommittedChunkLifetime);
            });
        }
        catch
        {
            DeleteChunks(id, version, count, wait: false); // or they expire by themselves
            throw;
        }

        string[] tags = [.. segment.Tags];
        var manifest = new RemoteManifest(
            resultType, key, (previous?.Generation ?? 0) + 1, Removed: false, segment.Length, _options.ChunkBytes, version,
            segment.Stamp, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _digest.Algorithm, sums, tags);
        if (Commit(id, replaced, manifest.Encode(_secret), resultType, inTypeSet: true, new RemoteChange(resultType, key, segment.Stamp), previous, tags) == 0)
        {
            DeleteChunks(id, version, count, wait: false);
            return false;
        }

        // Committed: the chunks stay until removed. Pipelined without waiting for replies; a lost
        // PERSIST only lets that chunk expire, which makes the entry a miss that the next put heals.
        for (int index = 0; index < count; index++)
        {
            bulk.KeyPersist(_keys.Chunk(id, version, index), CommandFlags.FireAndForget);
        }

        CollectReplaced(id, previous);
        Announce(new RemoteChange(resultType, key, segment.Stamp));
        return true;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The record does not parse or, with a shared secret, does not authenticate.</exception>
    public RemoteEntry? Find(string resultType, string key)
    {
        RedisValue raw = Control.StringGet(_keys.Manifest(RedisKeys.EntryId(resultType, key)));
        if (raw.IsNull)
        {
            return null;
        }

        return Decode(raw, resultType, key) switch
        {
            null => throw new InvalidDataException($"The remote record of '{key}' ({resultType}) does not parse or authenticate."),
            { Removed: true } => null,
            { } manifest => new RemoteEntry(resultType, key, manifest.Length, manifest.Version)
            {
                Stamp = manifest.Stamp,
                CommittedAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(manifest.CreatedUnixMs, 0, 253402300799999)),
            },
        };
    }

    /// <inheritdoc />
    public void Discard(RemoteEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string id = RedisKeys.EntryId(entry.ResultType, entry.Key);
        RedisValue raw = Control.StringGet(_keys.Manifest(id));
        if (Decode(raw, entry.ResultType, entry.Key) is { Removed: false } manifest && manifest.Version == entry.Version
            && Commit(id, raw, RedisValue.EmptyString, entry.ResultType, inTypeSet: false, change: null, manifest) != 0)
        {
            CollectReplaced(id, manifest);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RemoteKeyState> Check(IReadOnlyList<RemoteKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        IDatabase control = Control;
        IBatch batch = control.CreateBatch();
        Task<RedisValue>[] reads = [.. keys.Select(k => batch.StringGetAsync(_keys.Manifest(RedisKeys.EntryId(k.ResultType, k.Key))))];
        batch.Execute();
        WaitAll([.. reads]);
        var states = new RemoteKeyState[keys.Count];
        for (int i = 0; i < states.Length; i++)
        {
            RedisValue raw = reads[i].Result;
            states[i] = raw.IsNull ? new RemoteKeyState(RemoteKeyStatus.Unknown, null)
                : Decode(raw, keys[i].ResultType, keys[i].Key) switch
                {
                    null => new RemoteKeyState(RemoteKeyStatus.Unreadable, null),
                    { Removed: true } => new RemoteKeyState(RemoteKeyStatus.Removed, null),
                    { } manifest => new RemoteKeyState(RemoteKeyStatus.Present, manifest.Stamp),
                };
        }

        return states;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Subscribes in the background, so opening a cache never waits for the cluster; classic pub/sub
    /// reaches subscribers on every node of the cluster. A notice is only a wake-up: the cache reads
    /// the change log, and the log's records, not the notice, decide what changes.
    /// </remarks>
    public IDisposable Subscribe(Action<RemoteChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        RedisChannel channel = RedisChannel.Literal(_keys.Changes);
        Action<RedisChannel, RedisValue> handler = (_, message) =>
        {
            if (!message.IsNull && RemoteChangeMessage.TryDecode((byte[])message!) is { } change)
            {
                onChange(change);
            }
        };
        Task subscribed = Task.Run(() => _control.Value.GetSubscriber().SubscribeAsync(channel, handler));
        return new Subscription(() =>
        {
            if (subscribed.IsCompletedSuccessfully)
            {
                try
                {
                    _control.Value.GetSubscriber().Unsubscribe(channel, handler);
                }
                catch (Exception ex) when (IsCallFailure(ex))
                {
                    // Unreachable: nothing to unsubscribe from.
                }
            }
        });
    }

    /// <inheritdoc />
    public IDisposable? TryLease(string resultType, string key, string node)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        RedisKey lease = _keys.Lease(RedisKeys.EntryId(resultType, key));
        string token = node + ":" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return (long)Control.ScriptEvaluate(RedisScripts.TakeLease, [lease], [token, node + ":", (long)_options.LeaseTime.TotalMilliseconds]) == 1
            ? new RenewedLease(this, lease, token)
            : null;
    }

    /// <summary>Closes both connections.</summary>
    public void Dispose()
    {
        if (_control.IsValueCreated)
        {
            _control.Value.Dispose();
        }

        if (_bulk.IsValueCreated)
        {
            _bulk.Value.Dispose();
        }
    }

    private void Announce(RemoteChange change)
    {
        try
        {
            Control.Publish(RedisChannel.Literal(_keys.Changes), RemoteChangeMessage.Encode(change), CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (IsCallFailure(ex))
        {
            // Only a wake-up: the change is in the log, which every node reads.
        }
    }

    private RemoteManifest? Decode(RedisValue raw, string? resultType, string? key, long maxLength = long.MaxValue) =>
        raw.IsNull ? null : RemoteManifest.TryDecode((byte[])raw!, resultType, key, maxLength, _secret);

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                unsubscribe();
            }
        }
    }

    /// <summary>Lease renewals that failed (the cluster unreachable or too slow): each is retried by the next.</summary>
    internal long MissedRenewals => Interlocked.Read(ref _missedRenewals);

    /// <summary>
    /// Whether <paramref name="exception"/> is the cluster failing a call (unreachable, or no reply
    /// within the timeout: StackExchange.Redis's timeout is a <see cref="TimeoutException"/>, not a
    /// <see cref="RedisException"/>), which best-effort calls ignore.
    /// </summary>
    private static bool IsCallFailure(Exception exception) => exception is RedisException or TimeoutException;

    /// <summary>A held lease: renewed every third of its time until disposed, then deleted if still ours (compare-and-delete).</summary>
    private sealed class RenewedLease : IDisposable
    {
        private readonly RedisRemoteTier _tier;
        private readonly RedisKey _key;
        private readonly string _token;
        private readonly Timer _renewal;
        private int _disposed;

        public RenewedLease(RedisRemoteTier tier, RedisKey key, string token)
        {
            _tier = tier;
            _key = key;
            _token = token;
            TimeSpan period = tier._options.LeaseTime / 3;
            _renewal = new Timer(_ => Renew(), null, period, period);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _renewal.Dispose();
                try
                {
                    _tier.Control.ScriptEvaluate(RedisScripts.DeleteIfSame, [_key], [_token]);
                }
                catch (Exception ex) when (IsCallFailure(ex))
                {
                    // Unreachable: the lease lapses by itself.
                }
            }
        }

        private void Renew()
        {
            // On a timer thread: anything thrown here would end the process.
            try
            {
                _tier.Control.ScriptEvaluate(RedisScripts.RenewIfSame, [_key], [_token, (long)_tier._options.LeaseTime.TotalMilliseconds]);
            }
            catch (Exception ex) when (IsCallFailure(ex) || ex is ObjectDisposedException)
            {
                // A missed renewal (or the tier disposed under a lease): the next one tries again;
                // if the lease lapses, another node may compute too.
                Interlocked.Increment(ref _tier._missedRenewals);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="count"/> calls with at most <see cref="RedisRemoteTierOptions.Window"/> in
    /// flight: a sliding window, so the next call starts as soon as any one finishes. Each call is
    /// started on this thread, in index order (a call's synchronous part, such as reading its
    /// slice, runs before the next begins), and has the connection's timeout; the first failure
    /// stops new calls and is rethrown once all started ones have ended.
    /// </summary>
    private void RunWindowed(int count, Func<int, Task> call)
    {
        using var slots = new SemaphoreSlim(_options.Window);
        var running = new List<Task>(count);
        Exception? failed = null;
        int callFailed = 0;
        for (int index = 0; index < count && failed is null && Volatile.Read(ref callFailed) == 0; index++)
        {
            if (!slots.Wait(_options.OperationTimeout * 2))
            {
                failed = new TimeoutException($"Redis calls did not finish within {_options.OperationTimeout * 2}.");
                break;
            }

            Task started;
            try
            {
                started = call(index);
            }
            catch (Exception ex)
            {
                slots.Release();
                failed = ex;
                break;
            }

            running.Add(started.ContinueWith(
                done =>
                {
                    if (!done.IsCompletedSuccessfully)
                    {
                        Volatile.Write(ref callFailed, 1);
                    }

                    slots.Release();
                    done.GetAwaiter().GetResult(); // rethrows the call's exception into this task
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default));
        }

        WaitAll(running);
        if (failed is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
        }
    }

    private static void WaitAll(List<Task> tasks)
    {
        // No overall bound here: each call fails by itself within the connection's timeout, so this ends.
        try
        {
            Task.WaitAll([.. tasks]);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            throw ex.InnerExceptions[0];
        }
    }
}
