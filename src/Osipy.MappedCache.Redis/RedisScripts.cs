namespace Osipy.MappedCache.Redis;

/// <summary>
/// The Lua scripts the tier runs. Each touches keys of one hash slot only: the control keys
/// (<c>{prefix}:…</c>) share one, and a lease is a single key.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Commits a change to one entry, atomically with its change-log entry: sets (or, for an empty
    /// value, deletes) the manifest only if it still holds what the writer read before it began
    /// ('' for nothing), so of two writers that began from the same state the first wins; keeps the
    /// type sets; queues the replaced upload's chunks for deletion (so a writer killed before it
    /// deletes them leaves work any node finishes, never an orphan); and appends to the log.
    /// KEYS: manifest, log, log counter, type set, types set, garbage list, then the tag sets the
    /// entry id joins (an upload's tags; none for a removal).
    /// ARGV: expected, new value ('' deletes), type id ('' leaves the sets), entry id, add to the
    /// type set ('1') or remove ('0'), change-log entry ('' for none), log length, garbage entry ('' for none).
    /// Returns the change's log sequence number (or -1 without a log entry), 0 when it lost.
    /// </summary>
    public const string CommitChange = """
        local current = redis.call('GET', KEYS[1])
        if not ((current == false and ARGV[1] == '') or current == ARGV[1]) then return 0 end
        if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
        if ARGV[3] ~= '' then
          if ARGV[5] == '1' then
            redis.call('SADD', KEYS[4], ARGV[4])
            redis.call('SADD', KEYS[5], ARGV[3])
          else
            redis.call('SREM', KEYS[4], ARGV[4])
          end
        end
        if ARGV[8] ~= '' then redis.call('RPUSH', KEYS[6], ARGV[8]) end
        for i = 7, #KEYS do redis.call('SADD', KEYS[i], ARGV[4]) end
        if ARGV[6] == '' then return -1 end
        local n = redis.call('INCR', KEYS[3])
        redis.call('ZADD', KEYS[2], n, n .. ':' .. ARGV[6])
        if n % 64 == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', n - tonumber(ARGV[7])) end
        return n
        """;

    /// <summary>Deletes the key only if it still holds ARGV[1]: another holder's lease stays.</summary>
    public const string DeleteIfSame = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    /// <summary>Extends a lease only while it is still this holder's.</summary>
    public const string RenewIfSame = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

    /// <summary>
    /// Takes a lease (ARGV[1], for ARGV[3] ms) if it is free or held under the caller's own node
    /// name (ARGV[2], ending in ':'): a holder on the caller's node is dead, since the caller holds
    /// that node's lock of the key.
    /// </summary>
    public const string TakeLease = """
        local current = redis.call('GET', KEYS[1])
        if current == false or string.sub(current, 1, string.len(ARGV[2])) == ARGV[2] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
          return 1
        end
        return 0
        """;
}
