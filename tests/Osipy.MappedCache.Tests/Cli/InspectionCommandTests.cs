using System.Text.Json;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// osipy-cache's inspection and maintenance commands against a real cache directory, read through
/// their --json documents (docs/CLI.md), as a monitoring script would read them.
/// </summary>
public sealed class InspectionCommandTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Ls_ListsEveryEntryOfEverySession_WithPolicyKindDtypeShapeAndSessionLiveness()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "subject-01", TestData.Ramp(24), [2, 3, 4], new Dictionary<string, object?> { ["model"] = "vfa" });
            writer.Put("tofts", "subject-01", new Dictionary<string, Array> { ["ktrans"] = TestData.Ramp(6), ["ve"] = new double[6] });
        }

        using var live = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        live.Put<short>("concentration", "subject-01", new short[10], [10]);

        JsonElement listing = OsipyCacheTool.Json("ls", "--cache-dir", _dir.CachePath);
        Assert.Equal(_dir.CachePath, listing.GetProperty("cache_dir").GetString());
        var entries = listing.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("type").GetString()!);
        Assert.Equal(3, entries.Count);

        JsonElement t1 = entries["t1_map"];
        Assert.Equal("subject-01", t1.GetProperty("key").GetString());
        Assert.Equal("PERSISTENT", t1.GetProperty("policy").GetString());
        Assert.Equal("array", t1.GetProperty("kind").GetString());
        Assert.Equal("float32", t1.GetProperty("dtype").GetString());
        Assert.Equal([2, 3, 4], t1.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(96, t1.GetProperty("size_bytes").GetInt64());
        Assert.False(t1.GetProperty("session_alive").GetBoolean()); // its writer has closed
        Assert.True(File.Exists(t1.GetProperty("path").GetString()));

        JsonElement tofts = entries["tofts"];
        Assert.Equal("bundle", tofts.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, tofts.GetProperty("dtype").ValueKind);
        Assert.Equal(["ktrans", "ve"], tofts.GetProperty("arrays").EnumerateArray().Select(a => a.GetString()));

        JsonElement cached = entries["concentration"];
        Assert.Equal("CACHED", cached.GetProperty("policy").GetString());
        Assert.Equal("int16", cached.GetProperty("dtype").GetString());
        Assert.True(cached.GetProperty("session_alive").GetBoolean()); // `live` still holds it

        JsonElement onlyT1 = OsipyCacheTool.Json("ls", "--type", "t1_map", "--cache-dir", _dir.CachePath);
        Assert.Single(onlyT1.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public void Stats_CountsEntriesPerType_AndReportsTheDeadSessionsItReclaimed()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "a", TestData.Ramp(100), [100]);
            writer.Put<float>("t1_map", "b", TestData.Ramp(100), [100]);
        }

        using (var child = ChildProcess.Start("hold-cached", _dir.CachePath, "3", "1000"))
        {
            child.WaitForLine("ready");
            child.KillHard(); // leaves three CACHED segments of a dead session, for the tool's open to find
        }

        JsonElement stats = OsipyCacheTool.Json("stats", "--cache-dir", _dir.CachePath);
        JsonElement reclaimed = stats.GetProperty("dead_sessions_reclaimed");
        Assert.Equal(1, reclaimed.GetProperty("sessions").GetInt32());
        Assert.Equal(3, reclaimed.GetProperty("segments").GetInt32());
        Assert.Equal(2, stats.GetProperty("disk_entries").GetInt32());
        JsonElement t1 = Assert.Single(stats.GetProperty("types").EnumerateArray());
        Assert.Equal("t1_map", t1.GetProperty("type").GetString());
        Assert.Equal(2, t1.GetProperty("entries").GetInt32());
        Assert.Equal(2, t1.GetProperty("persistent").GetInt32());
        Assert.Equal(0, stats.GetProperty("quarantine_files").GetInt32());
    }

    [Fact]
    public void Show_GivesTheRecordTheMetadataAndMinMaxMeanNaNsOfTheValues()
    {
        float[] values = [1f, float.NaN, -2f, 7f, float.NaN, 4f];
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "k", values, [2, 3], new Dictionary<string, object?> { ["units"] = "ms", ["flip"] = new object?[] { 2L, 15L } });
            writer.Put("tofts", "k", new Dictionary<string, Array> { ["ktrans"] = new float[] { 0.1f, 0.3f }, ["mask"] = new bool[] { true, false, true, true } });
        }

        JsonElement shown = OsipyCacheTool.Json("show", "t1_map", "k", "--cache-dir", _dir.CachePath);
        Assert.Equal("ms", shown.GetProperty("metadata").GetProperty("units").GetString());
        Assert.Equal([2, 15], shown.GetProperty("metadata").GetProperty("flip").EnumerateArray().Select(v => v.GetInt32()));
        JsonElement summary = Assert.Single(shown.GetProperty("values").EnumerateArray());
        Assert.Equal(6, summary.GetProperty("count").GetInt64());
        Assert.Equal(2, summary.GetProperty("nan_count").GetInt64());
        Assert.Equal(-2.0, summary.GetProperty("min").GetDouble());
        Assert.Equal(7.0, summary.GetProperty("max").GetDouble());
        Assert.Equal(2.5, summary.GetProperty("mean").GetDouble(), 6);

        JsonElement bundle = OsipyCacheTool.Json("show", "tofts", "k", "--cache-dir", _dir.CachePath);
        var arrays = bundle.GetProperty("values").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(0.3, arrays["ktrans"].GetProperty("max").GetDouble(), 6);
        Assert.Equal("bool", arrays["mask"].GetProperty("dtype").GetString());
        Assert.Equal(0.75, arrays["mask"].GetProperty("mean").GetDouble(), 6);
    }

    [Fact]
    public void Path_NamesTheSegmentFile_AnAbsentEntryIsExitOneWithWhatToDo()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<double>("t1_map", "k", [1.0, 2.0], [2]);
        }

        (int exit, string output, _) = OsipyCacheTool.Run("path", "t1_map", "k", "--cache-dir", _dir.CachePath);
        Assert.Equal(0, exit);
        using (var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            Assert.Equal(SegmentPaths.Single(reader, "t1_map", "k"), output.Trim());
        }

        (exit, _, string error) = OsipyCacheTool.Run("path", "t1_map", "absent", "--cache-dir", _dir.CachePath);
        Assert.Equal(1, exit);
        Assert.Contains("no entry 'absent' of type 't1_map'", error);
        Assert.Contains("osipy-cache ls", error);
    }

    [Fact]
    public void Verify_FindsADamagedPayload_ExitsOne_AndQuarantinesIt()
    {
        string path;
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "good", TestData.Ramp(1000), [1000]);
            writer.Put<float>("t1_map", "bad", TestData.Ramp(1000), [1000]);
            path = SegmentPaths.Single(writer, "t1_map", "bad");
        }

        Assert.Equal(0, OsipyCacheTool.Run("verify", "t1_map", "good", "--cache-dir", _dir.CachePath).ExitCode);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096 + 100; // a payload byte: only the payload checksum can tell
            file.WriteByte(0x7F);
        }

        (int exit, string output, _) = OsipyCacheTool.Run("verify", "--all", "--json", "--cache-dir", _dir.CachePath);
        Assert.Equal(1, exit);
        using JsonDocument report = JsonDocument.Parse(output);
        Assert.Equal(2, report.RootElement.GetProperty("checked").GetInt32());
        Assert.Contains(path, Assert.Single(report.RootElement.GetProperty("corrupt").EnumerateArray()).GetString());
        Assert.Single(_dir.QuarantinedFiles());
        Assert.Equal(0, OsipyCacheTool.Run("verify", "--all", "--cache-dir", _dir.CachePath).ExitCode); // the bad one is set aside now
    }

    [Fact]
    public void Gc_ReclaimsWhatADeadSessionLeft()
    {
        using (var child = ChildProcess.Start("hold-cached", _dir.CachePath, "2", "1000"))
        {
            child.WaitForLine("ready");
            child.KillHard();
        }

        JsonElement gc = OsipyCacheTool.Json("gc", "--cache-dir", _dir.CachePath);
        Assert.Equal(1, gc.GetProperty("sessions").GetInt32());
        Assert.Equal(2, gc.GetProperty("segments").GetInt32());
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void RmRemovesOneEntry_ClearOneTypeOrAll()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "a", [1f], [1]);
            writer.Put<float>("t1_map", "b", [1f], [1]);
            writer.Put<float>("tofts", "a", [1f], [1]);
            writer.Put<float>("r2star", "a", [1f], [1]);
        }

        Assert.Equal(0, OsipyCacheTool.Run("rm", "t1_map", "a", "--cache-dir", _dir.CachePath).ExitCode);
        Assert.Equal(1, OsipyCacheTool.Run("rm", "t1_map", "a", "--cache-dir", _dir.CachePath).ExitCode); // gone already
        Assert.Equal(3, Keys().Length);

        JsonElement cleared = OsipyCacheTool.Json("clear", "--type", "t1_map", "--yes", "--cache-dir", _dir.CachePath);
        Assert.Equal(1, cleared.GetProperty("entries").GetInt32());
        Assert.Equal(["r2star/a", "tofts/a"], Keys());

        Assert.Equal(0, OsipyCacheTool.Run("clear", "-y", "--cache-dir", _dir.CachePath).ExitCode);
        Assert.Empty(Keys());
    }

    [Fact]
    public void BadCommandLines_ExitTwoAndSayWhereUsageIs_HelpExitsZero()
    {
        foreach (string[] args in new[] { Array.Empty<string>(), ["frobnicate"], ["show", "t1_map"], ["verify"], ["demo", "--size", "12x12"], ["ls", "--no-such-option"] })
        {
            (int exit, _, string error) = OsipyCacheTool.Run(args);
            Assert.True(exit == 2, $"'{string.Join(' ', args)}' exited {exit}");
            Assert.Contains("--help", error);
        }

        (int helpExit, string help, _) = OsipyCacheTool.Run("--help");
        Assert.Equal(0, helpExit);
        foreach (string command in new[] { "ls", "stats", "show", "path", "verify", "gc", "rm", "clear", "demo" })
        {
            Assert.Contains(command, help);
        }

        (int lsHelpExit, string lsHelp, _) = OsipyCacheTool.Run("ls", "--help");
        Assert.Equal(0, lsHelpExit);
        Assert.Contains("--cache-dir", lsHelp);
        Assert.Contains("--json", lsHelp);
    }

    [Fact]
    public void LongWork_DrawsABarOnATerminal_AndPlainLinesWhenRedirected()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            for (int i = 0; i < 20; i++)
            {
                writer.Put<float>("t1_map", $"k{i}", TestData.Ramp(10_000), [10_000]);
            }
        }

        (int exit, _, string redirected) = OsipyCacheTool.Run("verify", "--all", "--cache-dir", _dir.CachePath);
        Assert.Equal(0, exit);
        Assert.Contains("verify: 100% (20 of 20 files)", redirected);
        Assert.DoesNotContain("\u001b[", redirected); // no escape sequences in a log

        (exit, string terminal) = OsipyCacheTool.RunOnTerminal("verify", "--all", "--cache-dir", _dir.CachePath);
        Assert.True(exit == 0, terminal);
        Assert.Contains("\u001b[", terminal); // drawn with escape sequences
        Assert.Contains("100%", terminal);
        Assert.DoesNotContain("verify: 100% (20 of 20 files)", terminal); // the bar, not the log lines
    }

    private string[] Keys()
    {
        JsonElement listing = OsipyCacheTool.Json("ls", "--cache-dir", _dir.CachePath);
        return [.. listing.GetProperty("entries").EnumerateArray().Select(e => $"{e.GetProperty("type").GetString()}/{e.GetProperty("key").GetString()}")];
    }
}
