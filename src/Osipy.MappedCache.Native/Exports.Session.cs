using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Osipy.MappedCache.Native;

/// <summary>
/// The C ABI (include/osipy_mappedcache.h). Every export catches everything and returns a status;
/// handles are table entries (<see cref="Handles"/>), never addresses of managed objects.
/// </summary>
internal static unsafe partial class Exports
{
    [ThreadStatic]
    private static byte* t_lastErrorCopy;

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_last_error")]
    public static byte* LastError()
    {
        using ForkGate.Scope inside = ForkGate.EnterAlways();

        // The previous copy is freed here, so a returned pointer lives until the next call.
        NativeMemory.Free(t_lastErrorCopy);
        t_lastErrorCopy = NativeStrings.Allocate(NativeErrors.LastError);
        return t_lastErrorCopy;
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_open")]
    public static int Open(byte* configJson, nint* outCache)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outCache, "out_cache");
            *outCache = 0;
            CacheConfig config = ConfigJson.Parse(NativeStrings.ReadOptional(configJson, "config_json"));
            try
            {
                *outCache = Handles.Add(new IntermediateCache(config, TimeProvider.System, NativeWarnings.Shared));
            }
            catch
            {
                (config.Remote as IDisposable)?.Dispose();
                throw;
            }
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_take_warning")]
    public static int TakeWarning(byte** outWarning)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.EnterAlways();
            NativeArguments.NotNull(outWarning, "out_warning");
            *outWarning = NativeWarnings.Shared.Take() is { } warning ? NativeStrings.Allocate(warning) : null;
            return (int)NativeStatus.Ok; // leaves the last error alone: callers take warnings before reading it
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_close")]
    public static int Close(nint cache)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            IntermediateCache closing = Handles.Remove<IntermediateCache>(cache, "cache");
            closing.Dispose();
            (closing.Config.Remote as IDisposable)?.Dispose(); // created by ConfigJson for this handle
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_get_policy")]
    public static int GetPolicy(nint cache, byte* resultType, int* outPolicy)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outPolicy, "out_policy");
            *outPolicy = (int)Handles.Get<IntermediateCache>(cache, "cache").GetPolicy(NativeStrings.Read(resultType, "result_type"));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_stats_json")]
    public static int StatsJson(nint cache, byte** outJson)
    {
        try
        {
            using ForkGate.Scope inside = ForkGate.Enter();
            NativeArguments.NotNull(outJson, "out_json");
            *outJson = null;
            CacheStats stats = Handles.Get<IntermediateCache>(cache, "cache").GetStats();
            *outJson = NativeStrings.Allocate(WriteJson(writer =>
            {
                writer.WriteNumber("memory_entries", stats.MemoryEntries);
                writer.WriteNumber("memory_size_mb", stats.MemorySizeMb);
                writer.WriteNumber("max_memory_mb", stats.MaxMemoryMb);
                writer.WriteString("cache_dir", stats.CacheDir);
                writer.WriteNumber("disk_entries", stats.DiskEntries);
                writer.WriteNumber("disk_size_bytes", stats.DiskSizeBytes);
                writer.WriteNumber("hits", stats.Hits);
                writer.WriteNumber("misses", stats.Misses);
                writer.WriteNumber("hit_rate", stats.HitRate);
                writer.WriteNumber("evictions", stats.Evictions);
                writer.WriteNumber("max_disk_mb", stats.MaxDiskMb);
                writer.WriteNumber("disk_used_bytes", stats.DiskUsedBytes);
                writer.WriteNumber("disk_evictions", stats.DiskEvictions);
                writer.WriteNumber("expirations", stats.Expirations);
                writer.WriteNumber("corrupt_segments", stats.CorruptSegments);
                writer.WriteNumber("quarantine_files", stats.QuarantineFiles);
                writer.WriteNumber("quarantine_bytes", stats.QuarantineBytes);
                writer.WriteNumber("remote_hits", stats.RemoteHits);
                writer.WriteNumber("remote_misses", stats.RemoteMisses);
                writer.WriteNumber("remote_errors", stats.RemoteErrors);
                writer.WriteNumber("remote_conflicts", stats.RemoteConflicts);
            }));
            return NativeErrors.Ok();
        }
        catch (Exception ex)
        {
            return NativeErrors.From(ex);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "osipy_cache_free_string")]
    public static int FreeString(byte* text)
    {
        using ForkGate.Scope inside = ForkGate.EnterAlways();
        NativeStrings.Free(text);
        return NativeErrors.Ok();
    }

    /// <summary>A JSON object whose properties <paramref name="body"/> writes.</summary>
    private static string WriteJson(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping: the JSON goes to C and Python parsers, not into HTML, so '+' and non-ASCII stay readable.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
