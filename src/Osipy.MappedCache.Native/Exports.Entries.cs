using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Native;

/// <summary>Entries described as JSON, without mapping them: one (get_entry) or every one of a type (explain's search).</summary>
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_entry_json")]
    public static int EntryJson(nint cache, byte* resultType, byte* key, byte** outJson)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outJson, "out_json");
            *outJson = null;
            string type = NativeStrings.Read(resultType, "result_type"), name = NativeStrings.Read(key, "key");
            CacheEntry? entry = Handles.Get<IntermediateCache>(cache, "cache").GetEntry(type, name);
            if (entry is null)
            {
                return NativeErrors.Miss($"No entry '{name}' of result type '{type}'.");
            }

            *outJson = NativeStrings.Allocate(WriteJson(writer => WriteEntry(writer, entry)));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_entries_json")]
    public static int EntriesJson(nint cache, byte* resultType, byte** outJson)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outJson, "out_json");
            *outJson = null;
            string? type = resultType is null ? null : NativeStrings.Read(resultType, "result_type");
            IReadOnlyList<StoredSegment> segments = Handles.Get<IntermediateCache>(cache, "cache").ListSegments(type);
            *outJson = NativeStrings.Allocate(WriteJson(writer =>
            {
                writer.WriteStartArray("entries");
                foreach (StoredSegment segment in segments)
                {
                    writer.WriteStartObject();
                    WriteEntry(writer, segment.Entry);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    /// <summary>The properties of an entry's JSON description (get_entry's in Python).</summary>
    private static void WriteEntry(Utf8JsonWriter writer, CacheEntry entry)
    {
        writer.WriteString("key", entry.Key);
        writer.WriteString("result_type", entry.ResultType);
        writer.WriteString("created_at", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteNumber("size_bytes", entry.SizeBytes);
        writer.WritePropertyName("metadata");
        writer.WriteRawValue(entry.Tags.Count == 0 ? entry.MetadataJson : MetadataJson.Serialize(entry.Metadata)); // validated when the segment was opened
        writer.WriteStartArray("tags");
        foreach (string tag in entry.Tags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WriteString("policy", ConfigJson.PolicyName(entry.Policy));
        if (entry.ElementType is null)
        {
            writer.WriteNull("dtype");
        }
        else
        {
            writer.WriteNumber("dtype", (int)DTypes.FromType(entry.ElementType));
        }

        writer.WriteStartArray("shape");
        foreach (int dim in entry.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("array_names");
        foreach (string arrayName in entry.ArrayNames)
        {
            writer.WriteStringValue(arrayName);
        }

        writer.WriteEndArray();
    }
}
