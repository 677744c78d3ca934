namespace Osipy.MappedCache.Redis;

/// <summary>Settings of a <see cref="RedisRemoteTier"/>, checked when it is constructed.</summary>
public sealed record RedisRemoteTierOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string naming the cluster's nodes, for example
    /// <c>"127.0.0.1:30001,127.0.0.1:30002,127.0.0.1:30003"</c> (options such as <c>password=</c> may follow).
    /// </summary>
    public required string Configuration { get; init; }

    /// <summary>Prefix of every key this tier writes, so several caches can share one cluster. Default <c>"osipy"</c>.</summary>
    public string KeyPrefix { get; init; } = "osipy";

    /// <summary>Bytes per chunk (default 4 MiB, at least 64 KiB, at most 64 MiB): a segment is stored as chunks spread over the cluster's slots.</summary>
    public int ChunkBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Chunks in flight at once during an upload or a download (default 8): bounds the memory a transfer holds (8 x 4 MiB), whatever the array's size.</summary>
    public int Window { get; init; } = 8;

    /// <summary>Timeout of every call to the cluster, and of connecting (default 5 s): nothing waits longer.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the chunks of an upload live before its manifest commits them (default 10 min):
    /// the chunks of an uploader killed midway expire by themselves.
    /// </summary>
    public TimeSpan UncommittedChunkLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a GetOrCreate lease lives without renewal (default 30 s; renewed every third of it
    /// while the fill runs): when the computing process dies, a waiting node takes over after at most this.
    /// </summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Configuration, nameof(Configuration));
        ArgumentException.ThrowIfNullOrWhiteSpace(KeyPrefix, nameof(KeyPrefix));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 64 * 1024, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkBytes, 64 * 1024 * 1024, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, 1, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OperationTimeout, TimeSpan.Zero, nameof(OperationTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UncommittedChunkLifetime, TimeSpan.Zero, nameof(UncommittedChunkLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseTime, TimeSpan.FromMilliseconds(300), nameof(LeaseTime));
    }
}
