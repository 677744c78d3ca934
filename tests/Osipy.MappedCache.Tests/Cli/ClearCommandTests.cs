using System.Text.Json;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// <c>osipy-cache clear</c> removes PERSISTENT results that took hours to compute, so it asks first:
/// on a terminal a question whose default is no, without one a refusal naming --yes; --dry-run lists
/// what would go.
/// </summary>
public sealed class ClearCommandTests : IDisposable
{
    private const string Prompt = "[y/N]";

    private readonly TempCacheDirectory _dir = new();

    public ClearCommandTests()
    {
        using var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        writer.Put<float>("t1_map", "a", [1f], [1]);
        writer.Put<float>("t1_map", "b", [1f], [1]);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Clear_OnATerminal_AsksNamingTheCountAndDirectory_AndRemovesOnYes()
    {
        (int exit, string terminal) = OsipyCacheTool.RunOnTerminalTyping(Prompt, "y\n", "clear", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 0, terminal);
        Assert.Contains($"remove 2 entries (", terminal, StringComparison.Ordinal);
        Assert.Contains($"from {_dir.CachePath}? [y/N]", terminal, StringComparison.Ordinal);
        Assert.Contains("removed 2 entries", terminal, StringComparison.Ordinal);
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void Clear_OnATerminal_AnsweredNo_RemovesNothingAndExitsOne()
    {
        (int exit, string terminal) = OsipyCacheTool.RunOnTerminalTyping(Prompt, "n\n", "clear", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, terminal);
        Assert.Contains("nothing removed", terminal, StringComparison.Ordinal);
        Assert.Equal(2, _dir.SegmentFiles().Length);
    }

    [Fact]
    public void Clear_WithStandardInputRedirected_AndNoYes_RefusesNamingYes_AndRemovesNothing()
    {
        (int exit, string output, string error) = OsipyCacheTool.Run("clear", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        Assert.Contains("not a terminal", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Prompt, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
        Assert.Equal(2, _dir.SegmentFiles().Length);
    }

    [Fact]
    public void Clear_WithYesOrY_RemovesWithoutAsking()
    {
        Assert.Equal(0, OsipyCacheTool.Run("clear", "--type", "t1_map", "-y", "--cache-dir", _dir.CachePath).ExitCode);
        Assert.Empty(_dir.SegmentFiles());

        (int exit, string terminal) = OsipyCacheTool.RunOnTerminal("clear", "--yes", "--cache-dir", _dir.CachePath);
        Assert.True(exit == 0, terminal);
        Assert.DoesNotContain(Prompt, terminal, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_DryRun_ListsWhatWouldGo_AndRemovesNothing()
    {
        (int exit, string output, string error) = OsipyCacheTool.Run("clear", "--dry-run", "--cache-dir", _dir.CachePath);
        Assert.True(exit == 0, error + output);
        Assert.Contains("t1_map/a", output, StringComparison.Ordinal);
        Assert.Contains("t1_map/b", output, StringComparison.Ordinal);
        Assert.Contains("would remove 2 entries", output, StringComparison.Ordinal);

        JsonElement listed = OsipyCacheTool.Json("clear", "--dry-run", "--cache-dir", _dir.CachePath);
        Assert.True(listed.GetProperty("dry_run").GetBoolean());
        Assert.Equal(2, listed.GetProperty("entries").GetInt32());
        Assert.Equal(["a", "b"], listed.GetProperty("would_remove").EnumerateArray().Select(e => e.GetProperty("key").GetString()).Order());
        Assert.Equal(2, _dir.SegmentFiles().Length);
    }
}
