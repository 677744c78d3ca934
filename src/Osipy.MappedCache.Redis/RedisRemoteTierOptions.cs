using System.Text;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>Settings of a <see cref="RedisRemoteTier"/>, checked when it is constructed.</summary>
/// <remarks>
/// <see cref="ToString"/> never shows <see cref="Password"/>, <see cref="SharedSecret"/> or a
/// <c>password=</c> inside <see cref="Configuration"/>: options can be logged as they are.
/// </remarks>
public sealed record RedisRemoteTierOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string naming the cluster's nodes, for example
    /// <c>"127.0.0.1:30001,127.0.0.1:30002,127.0.0.1:30003"</c>. Options such as <c>password=</c> or
    /// <c>ssl=true</c> may follow; the properties below set the same things and win over the string.
    /// </summary>
    public required string Configuration { get; init; }

    /// <summary>Prefix of every key this tier writes, so several caches can share one cluster. Default <c>"osipy"</c>; no braces.</summary>
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
    /// while the fill runs): when the computing process dies, a waiting node takes over after at
    /// most this (a waiter on the dead filler's own node takes over at once).
    /// </summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Entries the change log keeps (default 100,000, about 10 MB): a node that was away for more
    /// changes than this re-checks every one of its remote-backed copies when it comes back, instead
    /// of replaying the log.
    /// </summary>
    public int ChangeLogLength { get; init; } = 100_000;

    /// <summary>The cluster's password (Redis <c>requirepass</c>, or an ACL user's); null for none.</summary>
    public string? Password { get; init; }

    /// <summary>The ACL user name; null for the default user.</summary>
    public string? User { get; init; }

    /// <summary>Connect with TLS (Redis <c>tls-port</c>). Implied by <see cref="TlsCaFile"/> and <see cref="TlsClientCertificateFile"/>.</summary>
    public bool Tls { get; init; }

    /// <summary>PEM file of the certificate authority that signed the cluster's certificates, for a private CA; null to use the system's trust store. A leading <c>~</c> is the home directory (<see cref="CacheConfig.ExpandHome"/>).</summary>
    public string? TlsCaFile { get; init => field = CacheConfig.ExpandHome(value); }

    /// <summary>PEM file of this client's certificate, for a cluster that requires one (<c>tls-auth-clients yes</c>); needs <see cref="TlsClientKeyFile"/>. A leading <c>~</c> is the home directory.</summary>
    public string? TlsClientCertificateFile { get; init => field = CacheConfig.ExpandHome(value); }

    /// <summary>PEM file of the private key of <see cref="TlsClientCertificateFile"/>. A leading <c>~</c> is the home directory.</summary>
    public string? TlsClientKeyFile { get; init => field = CacheConfig.ExpandHome(value); }

    /// <summary>The host name the cluster's certificates must carry, when it differs from the addresses in <see cref="Configuration"/>.</summary>
    public string? TlsHost { get; init; }

    /// <summary>
    /// A secret shared by every node (at least 16 bytes of UTF-8), or null. With it, manifests,
    /// tombstones and chunks are authenticated (HMAC-SHA256): nothing written by anyone without the
    /// secret is ever served or acted on; a forgery is a counted miss. Every node of one prefix
    /// must use the same secret. docs/SCALE-OUT.md, "Security", says what it protects and what not.
    /// </summary>
    public string? SharedSecret { get; init; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Configuration, nameof(Configuration));
        ArgumentException.ThrowIfNullOrWhiteSpace(KeyPrefix, nameof(KeyPrefix));
        if (KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("KeyPrefix must not contain braces: the tier puts its control keys in the hash slot of {KeyPrefix}.", nameof(KeyPrefix));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 64 * 1024, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkBytes, 64 * 1024 * 1024, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, 1, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OperationTimeout, TimeSpan.Zero, nameof(OperationTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UncommittedChunkLifetime, TimeSpan.Zero, nameof(UncommittedChunkLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseTime, TimeSpan.FromMilliseconds(300), nameof(LeaseTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChangeLogLength, 100, nameof(ChangeLogLength));
        if (SharedSecret is not null && Encoding.UTF8.GetByteCount(SharedSecret) < 16)
        {
            throw new ArgumentException("SharedSecret must be at least 16 bytes of UTF-8.", nameof(SharedSecret));
        }

        if ((TlsClientCertificateFile is null) != (TlsClientKeyFile is null))
        {
            throw new ArgumentException("TlsClientCertificateFile and TlsClientKeyFile go together.", nameof(TlsClientCertificateFile));
        }

        foreach ((string? file, string name) in new[] { (TlsCaFile, nameof(TlsCaFile)), (TlsClientCertificateFile, nameof(TlsClientCertificateFile)), (TlsClientKeyFile, nameof(TlsClientKeyFile)) })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new ArgumentException($"{name} '{file}' does not exist.", name);
            }
        }
    }

    /// <summary>The configuration string without its password, for messages and logs.</summary>
    internal string RedactedConfiguration()
    {
        try
        {
            return ConfigurationOptions.Parse(Configuration).ToString(includePassword: false);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return "(a configuration string that does not parse)";
        }
    }

    private bool PrintMembers(StringBuilder builder)
    {
        // Written by hand so that no secret reaches a log: the compiler's version prints every property.
        builder.Append($"Configuration = {RedactedConfiguration()}, KeyPrefix = {KeyPrefix}, ChunkBytes = {ChunkBytes}, Window = {Window}, ");
        builder.Append($"OperationTimeout = {OperationTimeout}, UncommittedChunkLifetime = {UncommittedChunkLifetime}, LeaseTime = {LeaseTime}, ChangeLogLength = {ChangeLogLength}, ");
        builder.Append($"Password = {(Password is null ? "null" : "***")}, User = {User ?? "null"}, Tls = {Tls}, TlsCaFile = {TlsCaFile ?? "null"}, ");
        builder.Append($"TlsClientCertificateFile = {TlsClientCertificateFile ?? "null"}, TlsClientKeyFile = {TlsClientKeyFile ?? "null"}, TlsHost = {TlsHost ?? "null"}, ");
        builder.Append($"SharedSecret = {(SharedSecret is null ? "null" : "***")}");
        return true;
    }
}
