using System.Text.Json;
using Osipy.MappedCache.Redis;

namespace Osipy.MappedCache.Native;

/// <summary>
/// The JSON configuration of osipy_cache_open, with the seed's snake_case names. Unknown keys are
/// rejected, so a misspelt setting is an error rather than silently ignored.
/// </summary>
internal static class ConfigJson
{
    /// <exception cref="JsonException">Not a JSON object.</exception>
    /// <exception cref="ArgumentException">An unknown key or a value of the wrong kind.</exception>
    public static CacheConfig Parse(string? json)
    {
        var config = new CacheConfig();
        if (string.IsNullOrWhiteSpace(json))
        {
            return config;
        }

        using JsonDocument document = ParseDocument(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("config_json must be a JSON object.");
        }

        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            JsonElement value = property.Value;
            config = property.Name switch
            {
                "cache_dir" => config with { CacheDir = OptionalString(value, property.Name) },
                "cached_dir" => config with { CachedDir = OptionalString(value, property.Name) },
                "legacy_osipy_dir" => config with { LegacyOsipyDir = OptionalString(value, property.Name) },
                "default_policy" => config with { DefaultPolicy = Policy(value, property.Name) },
                "policies" => config with { Policies = Policies(value) },
                "max_memory_mb" => config with { MaxMemoryMb = Integer(value, property.Name) },
                "max_age_seconds" => config with { MaxAgeSeconds = Integer(value, property.Name) },
                "max_mapped_segments" => config with { MaxMappedSegments = Int32(value, property.Name) },
                "max_quarantine_files" => config with { MaxQuarantineFiles = Int32(value, property.Name) },
                "prefault" => config with { Prefault = Boolean(value, property.Name) },
                "compression" => config with { Compression = Boolean(value, property.Name) },
                "compression_by_type" => config with { CompressionByType = Flags(value, property.Name) },
                "max_disk_mb" => config with { MaxDiskMb = Integer(value, property.Name) },
                "raw_copy_budget_mb" => config with { RawCopyBudgetMb = Integer(value, property.Name) },
                "verify_on_first_map" => config with { VerifyOnFirstMap = Boolean(value, property.Name) },
                "unfinished_fill_retention_seconds" => config with { UnfinishedFillRetention = Seconds(value, property.Name) },
                "redis" => config with { Remote = Redis(value, property.Name, document.RootElement) },
                _ when RedisSettings.Contains(property.Name) => config, // read with "redis"
                _ => throw new ArgumentException($"config_json: unknown key '{property.Name}'."),
            };
        }

        try
        {
            config.Validate();
        }
        catch (ArgumentException ex) when (ex.ParamName is { } property)
        {
            // Name the JSON key the C caller wrote, not the .NET property behind it.
            string reason = ex.Message.Split('\n')[0].Replace($" (Parameter '{property}')", string.Empty, StringComparison.Ordinal)
                .Replace(property, SnakeCase(property), StringComparison.Ordinal);
            throw new ArgumentException($"config_json: '{SnakeCase(property)}' is out of range: {reason}", "config_json");
        }

        return config;
    }

    public static string PolicyName(RetentionPolicy policy) => policy.ToString().ToLowerInvariant();

    private static RetentionPolicy Policy(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is "transient" or "cached" or "persistent"
            ? Enum.Parse<RetentionPolicy>(value.GetString()!, ignoreCase: true)
            : throw new ArgumentException($"config_json: '{name}' must be \"transient\", \"cached\" or \"persistent\".");

    private static Dictionary<string, RetentionPolicy> Policies(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("config_json: 'policies' must be an object of result type to policy.");
        }

        return value.EnumerateObject().ToDictionary(p => p.Name, p => Policy(p.Value, $"policies.{p.Name}"));
    }

    private static string? OptionalString(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => throw new ArgumentException($"config_json: '{name}' must be a string or null."),
    };

    private static long Integer(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) ? number : throw new ArgumentException($"config_json: '{name}' must be an integer.");

    private static TimeSpan Seconds(JsonElement value, string name) =>
        Integer(value, name) is long seconds and > 0 and <= 100L * 365 * 86400 ? TimeSpan.FromSeconds(seconds) : throw new ArgumentException($"config_json: '{name}' must be a positive number of seconds (at most 100 years).");

    private static int Int32(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw new ArgumentException($"config_json: '{name}' must be an integer between {int.MinValue} and {int.MaxValue}.");

    private static bool Boolean(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new ArgumentException($"config_json: '{name}' must be true or false.");

    private static Dictionary<string, bool> Flags(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"config_json: '{name}' must be an object of result type to true or false.");
        }

        return value.EnumerateObject().ToDictionary(p => p.Name, p => Boolean(p.Value, $"{name}.{p.Name}"));
    }

    /// <summary>The keys that set the remote tier's options, read together with "redis".</summary>
    private static readonly HashSet<string> RedisSettings =
    [
        "redis_key_prefix", "redis_password", "redis_user", "redis_secret", "redis_tls", "redis_tls_ca_file", "redis_tls_client_cert_file",
        "redis_tls_client_key_file", "redis_tls_host", "redis_timeout_ms", "redis_lease_ms", "redis_chunk_bytes", "redis_window",
        "redis_uncommitted_chunk_seconds", "redis_change_log_length",
    ];

    /// <summary>A remote tier on the Redis Cluster named by a StackExchange.Redis configuration string, with every option the "redis_*" keys set; the cache's handle owns it.</summary>
    private static RedisRemoteTier? Redis(JsonElement value, string name, JsonElement root)
    {
        if (OptionalString(value, name) is not { } configuration)
        {
            return null;
        }

        string? Text(string key) => root.TryGetProperty(key, out JsonElement v) ? OptionalString(v, key) : null;
        long? Number(string key) => root.TryGetProperty(key, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? Integer(v, key) : null;
        var defaults = new RedisRemoteTierOptions { Configuration = configuration };
        try
        {
            return new RedisRemoteTier(defaults with
            {
                KeyPrefix = Text("redis_key_prefix") ?? defaults.KeyPrefix,
                Password = Text("redis_password"),
                User = Text("redis_user"),
                SharedSecret = Text("redis_secret"),
                Tls = root.TryGetProperty("redis_tls", out JsonElement tls) && Boolean(tls, "redis_tls"),
                TlsCaFile = Text("redis_tls_ca_file"),
                TlsClientCertificateFile = Text("redis_tls_client_cert_file"),
                TlsClientKeyFile = Text("redis_tls_client_key_file"),
                TlsHost = Text("redis_tls_host"),
                OperationTimeout = Number("redis_timeout_ms") is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.OperationTimeout,
                LeaseTime = Number("redis_lease_ms") is { } lease ? TimeSpan.FromMilliseconds(lease) : defaults.LeaseTime,
                ChunkBytes = Number("redis_chunk_bytes") is { } chunk ? (int)Math.Clamp(chunk, int.MinValue, int.MaxValue) : defaults.ChunkBytes,
                Window = Number("redis_window") is { } window ? (int)Math.Clamp(window, int.MinValue, int.MaxValue) : defaults.Window,
                UncommittedChunkLifetime = Number("redis_uncommitted_chunk_seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.UncommittedChunkLifetime,
                ChangeLogLength = Number("redis_change_log_length") is { } length ? (int)Math.Clamp(length, int.MinValue, int.MaxValue) : defaults.ChangeLogLength,
            });
        }
        catch (ArgumentException ex)
        {
            // The message names the option (never its value, so no secret is echoed); say which key sets it.
            string option = ex.ParamName is { } param ? RedisKeyOf(param) : name;
            string reason = ex.Message.Split('\n')[0].Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
            if (ex.ParamName is { } property)
            {
                reason = reason.Replace(property, option, StringComparison.Ordinal);
            }

            throw new ArgumentException($"config_json: '{option}' is not usable: {reason}", "config_json");
        }
    }

    /// <summary>The config_json key of a <see cref="RedisRemoteTierOptions"/> property.</summary>
    private static string RedisKeyOf(string property) => property switch
    {
        nameof(RedisRemoteTierOptions.Configuration) => "redis",
        nameof(RedisRemoteTierOptions.SharedSecret) => "redis_secret",
        nameof(RedisRemoteTierOptions.TlsClientCertificateFile) => "redis_tls_client_cert_file",
        nameof(RedisRemoteTierOptions.OperationTimeout) => "redis_timeout_ms",
        nameof(RedisRemoteTierOptions.LeaseTime) => "redis_lease_ms",
        nameof(RedisRemoteTierOptions.UncommittedChunkLifetime) => "redis_uncommitted_chunk_seconds",
        _ => "redis_" + SnakeCase(property),
    };

    private static string SnakeCase(string pascal)
    {
        var name = new System.Text.StringBuilder(pascal.Length + 4);
        foreach (char c in pascal)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('_');
            }

            name.Append(char.ToLowerInvariant(c));
        }

        return name.ToString();
    }

    private static JsonDocument ParseDocument(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"config_json is not valid JSON: {ex.Message}", "config_json");
        }
    }
}
