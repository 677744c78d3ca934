using System.Text.Json;

namespace Osipy.MappedCache.Cli.Output;

/// <summary>An entry's provenance key (function, encoding, components) as text and as JSON, for <c>show</c> and <c>explain</c>.</summary>
internal static class ProvenanceOutput
{
    /// <summary>The metadata property that holds it, which <c>show</c> prints as a section of its own.</summary>
    public const string Property = "osipy_provenance";

    /// <summary>Writes the components as a <c>"components"</c> array of <c>{"name", "digest", "text"}</c>.</summary>
    public static void Components(Utf8JsonWriter writer, IReadOnlyDictionary<string, ProvenanceComponent> components)
    {
        writer.WriteStartArray("components");
        foreach ((string name, ProvenanceComponent component) in components)
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("digest", component.Digest);
            writer.WriteString("text", component.Text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>"provenance": {"function", "encoding", "components"}</c>, or null for an entry stored under a key of the caller's choosing.</summary>
    public static void Key(Utf8JsonWriter writer, ProvenanceKey? key)
    {
        writer.WritePropertyName("provenance");
        if (key is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("function", key.Function);
        writer.WriteNumber("encoding", key.Encoding);
        Components(writer, key.Components);
        writer.WriteEndObject();
    }

    /// <summary>The lines that print a key's components: <c>  NAME  TEXT</c>, names padded to one width.</summary>
    public static IEnumerable<string> Lines(IReadOnlyDictionary<string, ProvenanceComponent> components)
    {
        int width = components.Count == 0 ? 0 : components.Keys.Max(name => name.Length);
        return components.Select(pair => $"  {Formats.Printable.Escape(pair.Key).PadRight(width)}  {Formats.Printable.Escape(pair.Value.Text)}");
    }
}
