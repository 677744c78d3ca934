namespace Osipy.MappedCache.Provenance;

/// <summary>
/// What differs between an earlier key and a new one of the same function, one line per component
/// (docs/DESIGN.md, "Provenance keys"; Python's explain prints the same lines):
/// <c>encoding 1 → 2</c>, <c>argument NAME: OLD → NEW</c>, <c>argument NAME added: NEW</c>,
/// <c>argument NAME removed (was OLD)</c>, <c>code of F changed</c>, <c>code of F changed (helper H)</c>,
/// <c>code of F changed (helper H added)</c>, <c>code of F changed (helper H removed)</c>,
/// <c>version: OLD → NEW</c> (<c>none</c> when absent), <c>NAME changed</c> for a component of another kind.
/// </summary>
internal static class ProvenanceChanges
{
    /// <summary>The lines saying how <paramref name="now"/> differs from <paramref name="before"/>, in component name order.</summary>
    public static List<string> Lines(ProvenanceKey before, ProvenanceKey now)
    {
        var lines = new List<string>();
        if (before.Encoding != now.Encoding)
        {
            lines.Add($"encoding {before.Encoding} → {now.Encoding}");
        }

        string function = now.Function;
        var names = before.Components.Keys.Union(now.Components.Keys, StringComparer.Ordinal);
        foreach (string name in ProvenanceEncoding.SortedByUtf8(names, n => n))
        {
            ProvenanceComponent? old = before.Components.GetValueOrDefault(name);
            ProvenanceComponent? current = now.Components.GetValueOrDefault(name);
            if (old is not null && current is not null && old.Digest == current.Digest)
            {
                continue;
            }

            lines.Add(Line(function, name, old, current));
        }

        return lines;
    }

    /// <summary>How many components (and the encoding) differ: what makes an entry the nearest.</summary>
    public static int Count(ProvenanceKey before, ProvenanceKey now) => Lines(before, now).Count;

    private static string Line(string function, string name, ProvenanceComponent? old, ProvenanceComponent? current)
    {
        if (name.StartsWith("argument ", StringComparison.Ordinal))
        {
            return (old, current) switch
            {
                (null, _) => $"{name} added: {current!.Text}",
                (_, null) => $"{name} removed (was {old.Text})",
                _ => $"{name}: {old.Text} → {current.Text}",
            };
        }

        if (name.StartsWith("helper ", StringComparison.Ordinal))
        {
            string helper = name["helper ".Length..];
            string how = old is null ? " added" : current is null ? " removed" : string.Empty;
            return $"code of {function} changed (helper {helper}{how})";
        }

        if (name == "version")
        {
            return $"version: {old?.Text ?? "none"} → {current?.Text ?? "none"}";
        }

        if (name.StartsWith("code ", StringComparison.Ordinal))
        {
            return $"code of {function} changed";
        }

        return $"{name} changed";
    }
}
