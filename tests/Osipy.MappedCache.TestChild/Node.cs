using System.Globalization;
using Osipy.MappedCache.Redis;

namespace Osipy.MappedCache.TestChild;

/// <summary>
/// A node's worker process driven line by line from the test: each command read from stdin is
/// answered with one line starting "= ". Commands:
/// <c>put TYPE KEY STAMP [ELEMENTS]</c>, <c>get TYPE KEY</c> (answers the stamp, "miss" or "torn"),
/// <c>inv TYPE KEY</c>, <c>clear [TYPE]</c>, <c>goc TYPE KEY STAMP</c> (GetOrCreate: answers
/// "filled STAMP" or "found STAMP"), <c>stats</c>, <c>sync</c> (a coherence check run now, even while
/// backing off), <c>notices N</c> (waits until the session has received N change notices),
/// <c>exit</c>. Keys and types are written with "\0" for a NUL. Options after the positional
/// arguments: <c>--secret S</c>, <c>--timeout-ms N</c>, <c>--lease-ms N</c>, <c>--max-age S</c>,
/// <c>--clock-offset-s S</c> (the session's clock runs S seconds ahead: entries look that much older).
/// </summary>
internal static class Node
{
    public static int Run(string dir, string redis, string prefix, string[] options)
    {
        string? Option(string name) => Array.IndexOf(options, name) is int at and >= 0 && at + 1 < options.Length ? options[at + 1] : null;
        using var tier = new RedisRemoteTier(new RedisRemoteTierOptions
        {
            Configuration = redis,
            KeyPrefix = prefix,
            SharedSecret = Option("--secret"),
            OperationTimeout = TimeSpan.FromMilliseconds(int.Parse(Option("--timeout-ms") ?? "2000", CultureInfo.InvariantCulture)),
            LeaseTime = TimeSpan.FromMilliseconds(int.Parse(Option("--lease-ms") ?? "30000", CultureInfo.InvariantCulture)),
        });
        TimeProvider clock = Option("--clock-offset-s") is { } offset
            ? new OffsetClock(TimeSpan.FromSeconds(double.Parse(offset, CultureInfo.InvariantCulture)))
            : TimeProvider.System;
        using var cache = new IntermediateCache(new CacheConfig
        {
            CacheDir = dir,
            DefaultPolicy = RetentionPolicy.Persistent,
            MaxAgeSeconds = long.Parse(Option("--max-age") ?? "0", CultureInfo.InvariantCulture),
            MaxMemoryMb = 1024,
            Remote = tier,
        }, clock);
        Console.WriteLine("= ready");
        while (Console.ReadLine() is { } line)
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                string? reply = Execute(cache, [.. words.Select(w => w.Replace("\\0", "\0", StringComparison.Ordinal))]);
                if (reply is null)
                {
                    return 0;
                }

                Console.WriteLine("= " + reply);
            }
            catch (Exception ex)
            {
                Console.WriteLine("= error " + ex.GetType().Name + ": " + ex.Message.ReplaceLineEndings(" "));
            }
        }

        return 0;
    }

    private static string? Execute(IntermediateCache cache, string[] words)
    {
        switch (words[0])
        {
            case "put":
                // put TYPE KEY STAMP [LENGTH] [tags=A,B]
                string[] tags = [.. words.Where(w => w.StartsWith("tags=", StringComparison.Ordinal)).SelectMany(w => w["tags=".Length..].Split(','))];
                string[] plain = [.. words.Where(w => !w.StartsWith("tags=", StringComparison.Ordinal))];
                var data = new float[plain.Length > 4 ? int.Parse(plain[4], CultureInfo.InvariantCulture) : 1024];
                Patterns.Fill(data, float.Parse(plain[3], CultureInfo.InvariantCulture));
                cache.Put<float>(plain[1], plain[2], data, [data.Length], tags: tags);
                return "ok";
            case "invtag":
                return cache.InvalidateTag(words[1]).ToString(CultureInfo.InvariantCulture);
            case "get":
                using (MappedArray<float>? array = cache.Get<float>(words[1], words[2]))
                {
                    return array is null ? "miss" : Patterns.IsWhole(array.ReadOnlySpan) ? array.ReadOnlySpan[0].ToString(CultureInfo.InvariantCulture) : "torn";
                }

            case "inv":
                cache.Invalidate(words[1], words[2]);
                return "ok";
            case "clear":
                cache.Clear(words.Length > 1 ? words[1] : null);
                return "ok";
            case "goc":
                bool filled = false;
                using (MappedArray<float> made = cache.GetOrCreate<float>(words[1], words[2], [1024], writer =>
                {
                    filled = true;
                    Patterns.Fill(writer.Span, float.Parse(words[3], CultureInfo.InvariantCulture));
                }))
                {
                    return (filled ? "filled " : "found ") + made.ReadOnlySpan[0].ToString(CultureInfo.InvariantCulture);
                }

            case "stats":
                CacheStats stats = cache.GetStats();
                return FormattableString.Invariant(
                    $"remoteHits={stats.RemoteHits} remoteMisses={stats.RemoteMisses} remoteErrors={stats.RemoteErrors} remoteConflicts={stats.RemoteConflicts} corrupt={stats.CorruptSegments} expirations={stats.Expirations}");
            case "sync":
                cache.SyncRemote();
                return "ok";
            case "notices":
                return cache.WaitForRemoteNotices(int.Parse(words[1], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(30)).ToString(CultureInfo.InvariantCulture);
            case "exit":
                return null;
            default:
                return "error unknown command " + words[0];
        }
    }
}

/// <summary>The system's clock moved ahead by a fixed offset, so that a process sees entries as older than they are.</summary>
internal sealed class OffsetClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
