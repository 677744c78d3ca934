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
                "default_policy" => config with { DefaultPolicy = Policy(value, property.Name) },
                "policies" => config with { Policies = Policies(value) },
                "max_memory_mb" => config with { MaxMemoryMb = Integer(value, property.Name) },
                "max_age_seconds" => config with { MaxAgeSeconds = Integer(value, property.Name) },
                "max_mapped_segments" => config with { MaxMappedSegments = Int32(value, property.Name) },
                "max_quarantine_files" => config with { MaxQuarantineFiles = Int32(value, property.Name) },
                "prefault" => config with { Prefault = Boolean(value, property.Name) },
                "compression" => config with { Compression = Boolean(value, property.Name) },
                "compression_by_type" => config with { CompressionByType = Flags(value, property.Name) },
                "verify_on_first_map" => config with { VerifyOnFirstMap = Boolean(value, property.Name) },
                "redis" => config with { Remote = Redis(value, property.Name, document.RootElement) },
                "redis_key_prefix" => config, // read with "redis"
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
            string reason = ex.Message.Split('\n')[0].Replace($" (Parameter '{property}')", string.Empty, StringComparison.Ordinal);
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

    /// <summary>A remote tier on the Redis Cluster named by a StackExchange.Redis configuration string; the cache's handle owns it.</summary>
    private static RedisRemoteTier? Redis(JsonElement value, string name, JsonElement root)
    {
        if (OptionalString(value, name) is not { } configuration)
        {
            return null;
        }

        string prefix = root.TryGetProperty("redis_key_prefix", out JsonElement p) ? OptionalString(p, "redis_key_prefix") ?? "osipy" : "osipy";
        try
        {
            return new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = configuration, KeyPrefix = prefix });
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"config_json: '{name}' is not usable: {ex.Message}", "config_json");
        }
    }

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
