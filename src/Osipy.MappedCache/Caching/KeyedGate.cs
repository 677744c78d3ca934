namespace Osipy.MappedCache.Caching;

/// <summary>
/// Per-key single flight within a session: at most one thread at a time runs the slow work of a
/// key (load from disk, decompress, publish), while threads working on other keys, and every
/// hit, go on. A second thread asking for the same key waits, then re-checks the table and
/// finds what the first admitted: two first gets of one compressed key decompress it once.
/// </summary>
/// <remarks>
/// Entries are reference-counted and removed when their last holder leaves. Re-entrant: a thread
/// holding a key may enter it again (GetOrCreate holds it across the get, fill and publish it
/// runs). Thread-safe.
/// </remarks>
internal sealed class KeyedGate<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, Slot> _slots = [];
    private readonly Lock _gate = new();

    /// <summary>Blocks until the caller is the only holder of <paramref name="key"/>; dispose the result to leave.</summary>
    public Holder Enter(TKey key)
    {
        Slot slot;
        lock (_gate)
        {
            if (!_slots.TryGetValue(key, out slot!))
            {
                slot = new Slot();
                _slots.Add(key, slot);
            }

            slot.Holders++;
        }

        slot.Lock.Enter();
        return new Holder(this, key, slot);
    }

    private void Leave(TKey key, Slot slot)
    {
        slot.Lock.Exit();
        lock (_gate)
        {
            if (--slot.Holders == 0)
            {
                _slots.Remove(key);
            }
        }
    }

    internal sealed class Slot
    {
        public Lock Lock { get; } = new();

        public int Holders { get; set; }
    }

    /// <summary>The right to do one key's slow work; leaving twice is harmless.</summary>
    public sealed class Holder : IDisposable
    {
        private readonly KeyedGate<TKey> _owner;
        private readonly TKey _key;
        private Slot? _slot;

        internal Holder(KeyedGate<TKey> owner, TKey key, Slot slot)
        {
            _owner = owner;
            _key = key;
            _slot = slot;
        }

        public void Dispose()
        {
            if (_slot is { } slot)
            {
                _slot = null;
                _owner.Leave(_key, slot);
            }
        }
    }
}
