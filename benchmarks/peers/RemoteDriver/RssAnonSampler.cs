using Microsoft.Win32.SafeHandles;

namespace Osipy.MappedCache.Peers;

/// <summary>
/// Samples this process's RssAnon (its private resident memory) every millisecond on a thread of
/// its own, without allocating, and keeps the highest value: the kernel keeps a peak of the whole
/// resident set (VmHWM), file pages included, but none of the private part alone.
/// </summary>
internal sealed class RssAnonSampler : IDisposable
{
    private readonly SafeFileHandle _status = File.OpenHandle("/proc/self/status");
    private readonly byte[] _buffer = new byte[8192];
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _peakKb;

    private RssAnonSampler()
    {
        BaselineKb = ProcessStatus.ReadKb("RssAnon");
        _peakKb = Read();
        _thread = new Thread(Run) { IsBackground = true, Name = "RssAnon sampler" };
        _thread.Start();
        AllocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>RssAnon in KiB when sampling started, after the collections of <see cref="StartAfterCollecting"/>.</summary>
    public long BaselineKb { get; }

    /// <summary>The managed bytes allocated before sampling started (<see cref="GC.GetTotalAllocatedBytes(bool)"/>).</summary>
    public long AllocatedBefore { get; }

    /// <summary>When sampling started (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    public long StartedAt { get; }

    /// <summary>Collects the garbage of what came before, so the baseline holds only what stays; then starts sampling.</summary>
    public static RssAnonSampler StartAfterCollecting()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new RssAnonSampler();
    }

    /// <summary>Stops sampling; returns the peak in KiB, a last sample included.</summary>
    public long Stop()
    {
        _stop = true;
        _thread.Join();
        return Math.Max(_peakKb, Read());
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }

        _status.Dispose();
    }

    private void Run()
    {
        while (!_stop)
        {
            _peakKb = Math.Max(_peakKb, Read());
            Thread.Sleep(1);
        }
    }

    private long Read()
    {
        int length = RandomAccess.Read(_status, _buffer, 0);
        ReadOnlySpan<byte> text = _buffer.AsSpan(0, length);
        int at = text.IndexOf("RssAnon:"u8);
        long kb = 0;
        for (int i = at + "RssAnon:".Length; i < text.Length && text[i] != (byte)'k'; i++)
        {
            if (text[i] is >= (byte)'0' and <= (byte)'9')
            {
                kb = (kb * 10) + (text[i] - '0');
            }
        }

        return kb;
    }
}
