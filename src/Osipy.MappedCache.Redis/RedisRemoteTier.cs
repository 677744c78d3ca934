using System.IO.Hashing;
using System.Security.Cryptography;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The remote tier of <see cref="CacheConfig.Remote"/> on a Redis Cluster (Redis 7, Valkey, Garnet
/// or a managed Redis), through StackExchange.Redis: each PERSISTENT segment is stored as chunks
/// spread over the cluster's slots and a small manifest committed last.
/// </summary>
/// <remarks>
/// <para>Two connections: one for control traffic (manifests, type sets) and one for bulk chunk
/// traffic, so a manifest look-up never queues behind megabytes of chunks (StackExchange.Redis's
/// own advice for large values). Both connect lazily, on first use, and never fail construction:
/// an unreachable cluster makes calls throw within <see cref="RedisRemoteTierOptions.OperationTimeout"/>,
/// and the cache counts that and goes on locally.</para>
/// <para>Integrity: every chunk's XxHash3 is in the manifest; a download checks each chunk before
/// writing it, and a missing chunk (evicted under <c>allkeys-lru</c>, expired) or a bad one makes
/// the download fail and removes the manifest, so the next put heals the entry. A new upload
/// writes new chunk keys (its own version), commits the manifest, then removes the previous
/// upload's chunks: a reader sees the old entry or the new one, never a mix.</para>
/// <para>Thread-safe. Dispose closes both connections.</para>
/// </remarks>
public sealed class RedisRemoteTier : IRemoteTier, IDisposable
{
    // Deletes the key only if it still holds the value that was read: a newer manifest, or another holder's lease, stays.
    private const string DeleteIfSameScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    // Commits a manifest only if the key still holds what the uploader read before it began ('' for
    // nothing): of two uploads that began from the same state, the first to commit wins.
    private const string CommitIfUnchangedScript = "local current = redis.call('GET', KEYS[1]) if (current == false and ARGV[1] == '') or current == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

    // Extends a lease only while it is still this holder's.
    private const string RenewIfSameScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

    private readonly RedisRemoteTierOptions _options;
    private readonly RedisKeys _keys;
    private readonly Lazy<ConnectionMultiplexer> _control;
    private readonly Lazy<ConnectionMultiplexer> _bulk;

    /// <summary>Creates the tier; nothing is connected until the first call.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or the configuration string does not parse.</exception>
    public RedisRemoteTier(RedisRemoteTierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
        ConfigurationOptions control = Configure(options, "osipy-control");
        ConfigurationOptions bulk = Configure(options, "osipy-bulk");
        _control = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(control), LazyThreadSafetyMode.ExecutionAndPublication);
        _bulk = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(bulk), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private IDatabase Control => _control.Value.GetDatabase();

    private IDatabase Bulk => _bulk.Value.GetDatabase();

    /// <inheritdoc />
    /// <remarks>
    /// Reads the manifest it will replace first, sends every chunk under keys of its own version
    /// (which expire unless committed), then commits the manifest with a compare-and-set on that
    /// one key: only if it still holds what was read. An upload that lost (another upload
    /// committed, or the entry was removed, meanwhile) deletes its chunks and returns false.
    /// Chunks are requested from <paramref name="segment"/> in ascending order, on this thread, so
    /// a source that is still being written can make each request wait for its bytes.
    /// </remarks>
    public bool Upload(string resultType, string key, RemoteSegmentSource segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        string id = RedisKeys.EntryId(resultType, key);
        RedisKey manifestKey = _keys.Manifest(id);
        IDatabase control = Control;
        RedisValue replaced = control.StringGet(manifestKey);
        RemoteManifest? previous = replaced.IsNull ? null : RemoteManifest.TryDecode((byte[])replaced!, resultType, key, long.MaxValue);

        string version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        int count = RemoteManifest.ChunksFor(segment.Length, _options.ChunkBytes);
        var checksums = new ulong[count];
        IDatabase bulk = Bulk;
        try
        {
            RunWindowed(count, index =>
            {
                long offset = (long)index * _options.ChunkBytes;
                ReadOnlyMemory<byte> chunk = segment.Slice(offset, (int)Math.Min(_options.ChunkBytes, segment.Length - offset));
                checksums[index] = XxHash3.HashToUInt64(chunk.Span);
                return bulk.StringSetAsync(_keys.Chunk(id, version, index), chunk, _options.UncommittedChunkLifetime);
            });
        }
        catch
        {
            DeleteChunks(id, version, count, wait: false); // or they expire by themselves
            throw;
        }

        var manifest = new RemoteManifest(resultType, key, segment.Length, _options.ChunkBytes, version, (previous?.Generation ?? 0) + 1, checksums);
        RedisValue expected = replaced.IsNull ? RedisValue.EmptyString : replaced;
        if ((long)control.ScriptEvaluate(CommitIfUnchangedScript, [manifestKey], [expected, manifest.Encode()]) != 1)
        {
            DeleteChunks(id, version, count, wait: false);
            return false;
        }

        control.SetAdd(_keys.Type(RedisKeys.TypeId(resultType)), id);
        control.SetAdd(_keys.Types, RedisKeys.TypeId(resultType));
        Announce(new RemoteChange(resultType, key, segment.Stamp));

        // Committed: the chunks stay until removed, and the replaced upload's chunks go. Both are
        // pipelined without waiting for replies; a lost PERSIST only lets that chunk expire, which
        // makes the entry a miss that the next put heals.
        for (int index = 0; index < count; index++)
        {
            bulk.KeyPersist(_keys.Chunk(id, version, index), CommandFlags.FireAndForget);
        }

        if (previous is not null)
        {
            DeleteChunks(id, previous.Version, previous.ChunkCount, wait: false);
        }

        return true;
    }

    /// <inheritdoc />
    public RemoteEntry? Find(string resultType, string key) =>
        ReadManifest(Control, RedisKeys.EntryId(resultType, key), resultType, key) is { } manifest
            ? new RemoteEntry(resultType, key, manifest.Length, manifest.Version)
            : null;

    /// <inheritdoc />
    public bool Download(RemoteEntry entry, RemoteSegmentTarget target)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(target);
        string id = RedisKeys.EntryId(entry.ResultType, entry.Key);
        IDatabase control = Control;
        RedisValue raw = control.StringGet(_keys.Manifest(id));
        RemoteManifest? manifest = raw.IsNull ? null : RemoteManifest.TryDecode((byte[])raw!, entry.ResultType, entry.Key, target.Length);
        if (manifest is null || manifest.Version != entry.Version || manifest.Length != target.Length)
        {
            return false; // replaced or removed since Find
        }

        IDatabase bulk = Bulk;
        int bad = 0;
        RunWindowed(manifest.ChunkCount, async index =>
        {
            using Lease<byte>? chunk = await bulk.StringGetLeaseAsync(_keys.Chunk(id, manifest.Version, index)).ConfigureAwait(false);
            if (chunk is null || chunk.Length != manifest.ChunkLength(index) || XxHash3.HashToUInt64(chunk.Span) != manifest.ChunkChecksums[index])
            {
                Interlocked.Increment(ref bad);
                return;
            }

            target.Write((long)index * manifest.ChunkBytes, chunk.Span);
        });

        if (bad == 0)
        {
            return true;
        }

        // Evicted, expired or damaged: never a partial array. Remove the entry so the next put heals it.
        control.ScriptEvaluate(DeleteIfSameScript, [_keys.Manifest(id)], [raw]);
        DeleteChunks(id, manifest.Version, manifest.ChunkCount);
        return false;
    }

    /// <inheritdoc />
    public void Remove(string resultType, string key)
    {
        string id = RedisKeys.EntryId(resultType, key);
        IDatabase control = Control;
        RemoteManifest? manifest = ReadManifest(control, id, resultType, key);
        control.KeyDelete(_keys.Manifest(id));
        control.SetRemove(_keys.Type(RedisKeys.TypeId(resultType)), id);
        Announce(new RemoteChange(resultType, key, Stamp: null));
        if (manifest is not null)
        {
            DeleteChunks(id, manifest.Version, manifest.ChunkCount);
        }
    }

    /// <inheritdoc />
    public void Clear(string? resultType)
    {
        IDatabase control = Control;
        IEnumerable<RedisValue> typeIds = resultType is null ? control.SetMembers(_keys.Types) : [RedisKeys.TypeId(resultType)];
        foreach (RedisValue typeId in typeIds)
        {
            RedisKey typeSet = _keys.Type(typeId.ToString());
            foreach (RedisValue id in control.SetMembers(typeSet))
            {
                // The manifest names its entry; chunks are found from it (each command on one key).
                RedisValue raw = control.StringGet(_keys.Manifest(id.ToString()));
                control.KeyDelete(_keys.Manifest(id.ToString()));
                if (!raw.IsNull && ChunkKeysOf(id.ToString(), (byte[])raw!) is { } chunks)
                {
                    RunWindowed(chunks.Length, index => Bulk.KeyDeleteAsync(chunks[index]));
                }
            }

            control.KeyDelete(typeSet);
        }

        Announce(new RemoteChange(resultType, Key: null, Stamp: null));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Subscribes in the background, so opening a cache never waits for the cluster; classic pub/sub
    /// reaches subscribers on every node of the cluster. Messages that do not parse are ignored.
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
                catch (RedisException)
                {
                    // Unreachable: nothing to unsubscribe from.
                }
            }
        });
    }

    /// <inheritdoc />
    public IDisposable? TryLease(string resultType, string key)
    {
        RedisKey lease = _keys.Lease(RedisKeys.EntryId(resultType, key));
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return Control.StringSet(lease, token, _options.LeaseTime, When.NotExists) ? new RenewedLease(this, lease, token) : null;
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

    private void Announce(RemoteChange change) => Control.Publish(RedisChannel.Literal(_keys.Changes), RemoteChangeMessage.Encode(change));

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
                    _tier.Control.ScriptEvaluate(DeleteIfSameScript, [_key], [_token]);
                }
                catch (RedisException)
                {
                    // Unreachable: the lease lapses by itself.
                }
            }
        }

        private void Renew()
        {
            try
            {
                _tier.Control.ScriptEvaluate(RenewIfSameScript, [_key], [_token, (long)_tier._options.LeaseTime.TotalMilliseconds]);
            }
            catch (RedisException)
            {
                // A missed renewal: the next one tries again; if the lease lapses, another node may compute too.
            }
        }
    }

    private static ConfigurationOptions Configure(RedisRemoteTierOptions options, string clientName)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(options.Configuration);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new ArgumentException($"Configuration is not a StackExchange.Redis configuration string: {ex.Message}", nameof(options), ex);
        }

        int timeout = (int)Math.Min(int.MaxValue, options.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false; // an unreachable cluster is a failed call later, never a failed construction
        configuration.ConnectTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.ConnectRetry = 1;
        configuration.ClientName = clientName;
        return configuration;
    }

    private RemoteManifest? ReadManifest(IDatabase control, string id, string resultType, string key)
    {
        RedisValue raw = control.StringGet(_keys.Manifest(id));
        return raw.IsNull ? null : RemoteManifest.TryDecode((byte[])raw!, resultType, key, long.MaxValue);
    }

    private RedisKey[]? ChunkKeysOf(string id, byte[] manifestBytes)
    {
        // Clear knows only the id: read the type and key back from the manifest itself.
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(manifestBytes);
            string type = document.RootElement.GetProperty("type").GetString() ?? string.Empty;
            string key = document.RootElement.GetProperty("key").GetString() ?? string.Empty;
            if (RedisKeys.EntryId(type, key) != id || RemoteManifest.TryDecode(manifestBytes, type, key, long.MaxValue) is not { } manifest)
            {
                return null;
            }

            return [.. Enumerable.Range(0, manifest.ChunkCount).Select(i => _keys.Chunk(id, manifest.Version, i))];
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Removes an upload's chunks; <paramref name="wait"/> false pipelines the DELs without waiting (cleanup that nothing depends on).</summary>
    private void DeleteChunks(string id, string version, int count, bool wait = true)
    {
        IDatabase bulk = Bulk;
        if (wait)
        {
            RunWindowed(count, index => bulk.KeyDeleteAsync(_keys.Chunk(id, version, index)));
            return;
        }

        // A lost DEL leaves garbage that expiry, eviction or the next clear takes; nothing reads it.
        try
        {
            for (int index = 0; index < count; index++)
            {
                bulk.KeyDelete(_keys.Chunk(id, version, index), CommandFlags.FireAndForget);
            }
        }
        catch (RedisException)
        {
            // Unreachable: the same.
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
