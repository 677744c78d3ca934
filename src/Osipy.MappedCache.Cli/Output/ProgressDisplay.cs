using System.Diagnostics;
using Spectre.Console;

namespace Osipy.MappedCache.Cli.Output;

/// <summary>
/// Progress of long work (an import or export of a large file, <c>verify --all</c>), on standard
/// error: a live Spectre.Console bar with throughput and time left when that is a terminal, plain
/// lines at every tenth otherwise (a log file, a pipe, a CI job).
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, which reports how much of <paramref name="total"/> it has done.</summary>
    /// <param name="bytes">Whether the units are bytes (throughput shown) or files.</param>
    public static T Run<T>(string label, long total, bool bytes, Func<IProgress<long>, T> work)
    {
        if (!Terminal.ErrorIsInteractive)
        {
            var lines = new PlainLines(label, Math.Max(total, 1), bytes);
            T result = work(lines);
            lines.Finish();
            return result;
        }

        ProgressColumn[] columns = bytes
            ? [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn()]
            : [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn()];
        return Terminal.Error.Progress().AutoClear(false).Columns(columns).Start(context =>
        {
            ProgressTask task = context.AddTask(label, maxValue: Math.Max(total, 1));
            T result = work(new Reporter(done => task.Value = done));
            task.Value = task.MaxValue;
            return result;
        });
    }

    /// <summary>Reports synchronously, on the worker's thread (<see cref="Progress{T}"/> would post them, late).</summary>
    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private sealed class PlainLines(string label, long total, bool bytes) : IProgress<long>
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _tenthsShown;
        private long _done;

        public void Report(long value)
        {
            _done = value;
            int tenths = (int)Math.Min(10, value * 10 / total);
            if (tenths > _tenthsShown && tenths < 10)
            {
                _tenthsShown = tenths;
                Console.Error.WriteLine(Line(tenths * 10));
            }
        }

        public void Finish() => Console.Error.WriteLine(Line(100) + $" in {Report(Stopwatch.GetElapsedTime(_started))}");

        private string Line(int percent)
        {
            TimeSpan elapsed = Stopwatch.GetElapsedTime(_started);
            string amount = bytes ? $"{Output.Report.Size(_done)} of {Output.Report.Size(total)}" : $"{_done} of {total} files";
            string rate = bytes && elapsed.TotalSeconds > 0 ? $", {_done / (1024.0 * 1024.0) / elapsed.TotalSeconds:F0} MiB/s" : string.Empty;
            string left = percent < 100 && _done > 0 ? $", about {Report(elapsed * ((double)(total - _done) / _done))} left" : string.Empty;
            return $"{label}: {percent,3}% ({amount}{rate}{left})";
        }

        private static string Report(TimeSpan time) => Output.Report.Duration(time);
    }
}
