using System.Text.Json;

namespace Osipy.MappedCache.Format;

/// <summary>
/// An entry's tags ("subject:07", "study:dce-2026"): stored in its metadata JSON under the reserved
/// property <see cref="Property"/>, an array of strings (docs/FORMAT.md, "Metadata"), and kept out
/// of the metadata that callers see.
/// </summary>
internal static class EntryTags
{
    /// <summary>The metadata property that holds the tags; callers' metadata may not use it.</summary>
    public const string Property = "osipy_tags";

    /// <summary>At most this many tags an entry.</summary>
    public const int MaxTags = 64;

    /// <summary>At most this many UTF-8 bytes a tag.</summary>
    public const int MaxTagBytes = 256;

    /// <summary>The tags in <paramref name="metadataJson"/>; empty when there are none or the property is not an array of strings.</summary>
    public static IReadOnlyList<string> Of(string metadataJson)
    {
        if (!metadataJson.Contains(Property, StringComparison.Ordinal))
        {
            return []; // the common case, without parsing
        }

        using JsonDocument document = JsonDocument.Parse(metadataJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty(Property, out JsonElement tags)
            || tags.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var found = new List<string>(tags.GetArrayLength());
        foreach (JsonElement tag in tags.EnumerateArray())
        {
            if (tag.ValueKind == JsonValueKind.String)
            {
                found.Add(tag.GetString()!);
            }
        }

        return found;
    }

    /// <summary>Whether the entry whose metadata is <paramref name="metadataJson"/> carries <paramref name="tag"/>.</summary>
    public static bool Carries(string metadataJson, string tag) => Of(metadataJson).Contains(tag, StringComparer.Ordinal);
}
