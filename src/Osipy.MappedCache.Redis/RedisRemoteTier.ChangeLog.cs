using System.Globalization;
using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>
/// The change log: a sorted set in the control slot with one member per committed change,
/// <c>"&lt;n&gt;:&lt;change JSON&gt;"</c> scored by its number <c>n</c> from a counter (both written
/// by the same script that commits the change), trimmed to the newest
/// <see cref="RedisRemoteTierOptions.ChangeLogLength"/>. A sorted set rather than a stream so that
/// every RESP store with Lua runs it (Garnet has no streams). A position is the number of the last
/// change applied; a reader whose next number is no longer there knows it missed changes.
/// </summary>
public sealed partial class RedisRemoteTier
{
    private const int LogPage = 1000;
    private const int MaxReplayed = 200_000;

    /// <inheritdoc />
    public RemoteChangeLog ReadChanges(string? after)
    {
        IDatabase control = Control;
        CollectLeftGarbage();
        if (after is null || !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out long position))
        {
            return new RemoteChangeLog(Head(control), Complete: false, []);
        }

        var changes = new List<RemoteChange>();
        long last = position;
        bool complete = true;
        while (true)
        {
            RedisValue[] page = control.SortedSetRangeByScore(_keys.Log, last, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, LogPage);
            foreach (RedisValue member in page)
            {
                string text = member.ToString();
                int colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= last)
                {
                    continue; // not written by this code: skipped (an entry is only a hint to re-check anyway)
                }

                complete &= n == last + 1; // a gap: changes were trimmed away; re-check everything
                last = n;
                if (RemoteChangeMessage.TryDecode(System.Text.Encoding.UTF8.GetBytes(text[(colon + 1)..])) is { } change)
                {
                    changes.Add(change);
                }
            }

            if (page.Length < LogPage)
            {
                break;
            }

            if (changes.Count > MaxReplayed)
            {
                return new RemoteChangeLog(Head(control), Complete: false, []);
            }
        }

        if (last == position)
        {
            // Nothing after the position: unless the counter moved on (changes trimmed past it) or
            // back (the store was emptied and numbering started again), the node is up to date.
            long counter = (long?)control.StringGet(_keys.LogCounter) ?? 0;
            if (counter != position
                && (counter < position || control.SortedSetRangeByScore(_keys.Log, position, position + 1, Exclude.Start, Order.Ascending, 0, 1).Length == 0))
            {
                // (A change committed between the two reads is in the set: only a missing next one means a gap.)
                return new RemoteChangeLog(Head(control), Complete: false, []);
            }

            if (counter > position)
            {
                return ReadChanges(after); // committed between the reads: read it
            }
        }

        return new RemoteChangeLog(last.ToString(CultureInfo.InvariantCulture), complete, changes);
    }

    /// <summary>The number of the newest change.</summary>
    private string Head(IDatabase control) => ((long?)control.StringGet(_keys.LogCounter) ?? 0).ToString(CultureInfo.InvariantCulture);
}
