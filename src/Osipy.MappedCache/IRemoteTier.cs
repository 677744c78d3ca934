namespace Osipy.MappedCache;

/// <summary>
/// A store shared by many nodes that keeps copies of PERSISTENT segments, so a result computed on
/// one node is found by the others (<c>Osipy.MappedCache.Redis.RedisRemoteTier</c> is one, on a
/// Redis Cluster). Set it as <see cref="CacheConfig.Remote"/>.
/// </summary>
/// <remarks>
/// <para>The cache never maps remote bytes. A PERSISTENT put uploads the whole segment file (slices
/// of its mapping, no copy; a put of one array reads each chunk as soon as the local write has
/// passed it), publishes it locally, and returns after the remote commit, which follows the local one. A local
/// miss asks the tier, downloads the file into a local temporary segment, validates it like any
/// file from disk (record, layout, first page; payload checksums with <see cref="CacheConfig.VerifyOnFirstMap"/>),
/// publishes it locally and maps it from there.
/// CACHED and TRANSIENT entries never leave the node.</para>
/// <para>What an implementation must guarantee: a download either writes every byte of one
/// committed upload, each checked, or returns false (never a partial or foreign file); an entry
/// found damaged or incomplete is removed so the next put heals it; every call has its own timeout
/// and never hangs. A call that fails throws: the cache catches it, logs it, counts it in
/// <see cref="CacheStats.RemoteErrors"/> and carries on with local work, so an unreachable store
/// never breaks a put or a get. Implementations are called from many threads at once.</para>
/// </remarks>
public partial interface IRemoteTier
{
    /// <summary>
    /// Uploads a whole segment file and commits it as the entry of (<paramref name="resultType"/>,
    /// <paramref name="key"/>), replacing the entry that was there when the upload began; returns
    /// once other nodes can find it, having told subscribers (<see cref="Subscribe"/>) of the change
    /// with the segment's <see cref="RemoteSegmentSource.Stamp"/>.
    /// </summary>
    /// <returns>
    /// True when committed; false when another upload of the key committed first, or the entry was
    /// removed, since this one began (first writer wins): nothing of this upload stays, and the
    /// cache drops its local copy so the node maps the winner's.
    /// </returns>
    bool Upload(string resultType, string key, RemoteSegmentSource segment);

    /// <summary>The committed remote entry of (<paramref name="resultType"/>, <paramref name="key"/>), or null if there is none (or it was removed).</summary>
    RemoteEntry? Find(string resultType, string key);

    /// <summary>
    /// What the store holds for each of <paramref name="keys"/>, in one round trip where it can: the
    /// write stamp of the committed upload, a removal, or nothing known. The cache drops a local
    /// PERSISTENT copy only when the store holds another write or a removal of its key: a notice
    /// alone never removes anything.
    /// </summary>
    IReadOnlyList<RemoteKeyState> Check(IReadOnlyList<RemoteKey> keys);

    /// <summary>
    /// Writes the bytes of <paramref name="entry"/> into <paramref name="target"/> (of
    /// <see cref="RemoteEntry.Length"/> bytes). Returns false, having written nothing usable, when a
    /// piece is missing (evicted, expired, replaced since <see cref="Find"/>) or fails its check;
    /// a damaged entry is removed from the store.
    /// </summary>
    bool Download(RemoteEntry entry, RemoteSegmentTarget target);

    /// <summary>
    /// Discards a committed upload found unusable after its download (its file failed validation),
    /// if it is still the committed one, so the next put heals the entry. Not a removal: no
    /// tombstone and no change is recorded, and other nodes keep their own copies.
    /// </summary>
    void Discard(RemoteEntry entry);

    /// <summary>
    /// Removes the remote entry of (<paramref name="resultType"/>, <paramref name="key"/>) and leaves a
    /// removal in its place (so no late upload or returning node brings it back), recording the change
    /// in the change log atomically with it.
    /// </summary>
    void Remove(string resultType, string key);

    /// <summary>Removes every remote entry of <paramref name="resultType"/>, or every entry when it is null, each as <see cref="Remove"/> does.</summary>
    void Clear(string? resultType);

    /// <summary>
    /// Removes every remote entry whose upload carried <paramref name="tag"/> (<see cref="RemoteSegmentSource.Tags"/>),
    /// each as <see cref="Remove"/> does, so every node drops its copy through the change log. An
    /// entry replaced since by an upload without the tag stays.
    /// </summary>
    /// <returns>The entries removed.</returns>
    IReadOnlyList<RemoteKey> RemoveTagged(string tag);

    /// <summary>
    /// Tries to become the one node computing (<paramref name="resultType"/>, <paramref name="key"/>)
    /// for <see cref="IntermediateCache.GetOrCreate{T}(string, string, ReadOnlySpan{int}, Action{MappedArrayWriter{T}}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>. On success the tier keeps the lease alive
    /// until it is disposed, and it lapses by itself if this process dies (so a waiting node takes
    /// over); disposing releases it only if it is still this caller's.
    /// </summary>
    /// <param name="resultType">The entry's result type.</param>
    /// <param name="key">The entry's key.</param>
    /// <param name="node">
    /// Names the caller's node. The caller holds its node's lock of the key, so no live process of
    /// that node can hold the lease: a lease held under the same node name belongs to a process that
    /// died, and is taken over at once instead of after its time runs out.
    /// </param>
    /// <returns>The lease, or null while another node holds it.</returns>
    IDisposable? TryLease(string resultType, string key, string node);

    /// <summary>
    /// The committed changes after <paramref name="after"/> (a <see cref="RemoteChangeLog.Position"/>
    /// this store returned earlier; null for none), oldest first, and the position to ask from next.
    /// <see cref="RemoteChangeLog.Complete"/> is false when the log no longer holds every change since
    /// <paramref name="after"/> (trimmed, or the store was emptied): the cache then re-checks every
    /// remote-backed copy it has. The store may also finish cleanup that a killed node left.
    /// </summary>
    RemoteChangeLog ReadChanges(string? after);

    /// <summary>
    /// Calls <paramref name="onChange"/> soon after a change is committed through this store by any
    /// node, until the result is disposed: a wake-up to read the change log (<see cref="ReadChanges"/>).
    /// Delivery is best-effort; nothing is lost when a notice is, since the log is durable.
    /// </summary>
    IDisposable Subscribe(Action<RemoteChange> onChange);
}

/// <summary>A (result type, key) pair asked of <see cref="IRemoteTier.Check"/>.</summary>
/// <param name="ResultType">The entry's result type.</param>
/// <param name="Key">The entry's key.</param>
public readonly record struct RemoteKey(string ResultType, string Key);

/// <summary>What the remote store holds for one key.</summary>
public enum RemoteKeyStatus
{
    /// <summary>Nothing the store can vouch for: never uploaded, evicted, or the store was emptied. Local copies stay.</summary>
    Unknown,

    /// <summary>A committed upload, named by <see cref="RemoteKeyState.Stamp"/>.</summary>
    Present,

    /// <summary>The entry was removed (invalidated or cleared) after its last upload.</summary>
    Removed,

    /// <summary>A record that does not parse or authenticate: counted, and treated as <see cref="Unknown"/>.</summary>
    Unreadable,
}

/// <summary>The store's state of one key.</summary>
/// <param name="Status">What the store holds.</param>
/// <param name="Stamp">The committed upload's <see cref="RemoteSegmentSource.Stamp"/> when <see cref="RemoteKeyStatus.Present"/>.</param>
public readonly record struct RemoteKeyState(RemoteKeyStatus Status, string? Stamp);

/// <summary>Changes read from the store's change log.</summary>
/// <param name="Position">Where to read from next; opaque, kept by the node between processes.</param>
/// <param name="Complete">False when changes since the position asked from may be missing.</param>
/// <param name="Changes">The changes, oldest first.</param>
public sealed record RemoteChangeLog(string Position, bool Complete, IReadOnlyList<RemoteChange> Changes);

/// <summary>A change another node (or this one) committed to the remote store.</summary>
/// <param name="ResultType">The result type changed; null when everything was cleared.</param>
/// <param name="Key">The key changed; null when the whole type was cleared.</param>
/// <param name="Stamp">The upload's <see cref="RemoteSegmentSource.Stamp"/> for a replacement; null for a removal.</param>
public sealed record RemoteChange(string? ResultType, string? Key, string? Stamp);

/// <summary>A committed remote entry: the segment file's length and the upload it came from.</summary>
/// <param name="ResultType">The entry's result type.</param>
/// <param name="Key">The entry's key.</param>
/// <param name="Length">Bytes of the segment file.</param>
/// <param name="Version">Names the upload, so a download notices a replacement made meanwhile.</param>
public sealed record RemoteEntry(string ResultType, string Key, long Length, string Version)
{
    /// <summary>The upload's <see cref="RemoteSegmentSource.Stamp"/>.</summary>
    public string Stamp { get; init; } = string.Empty;

    /// <summary>When the upload was committed: the age rule (<see cref="CacheConfig.MaxAgeSeconds"/>) is checked against it before any download.</summary>
    public DateTimeOffset CommittedAt { get; init; }
}

/// <summary>The bytes of a segment file, handed to <see cref="IRemoteTier.Upload"/> as slices of its mapping.</summary>
/// <remarks>
/// Valid only during the call it is passed to. The file may still be being written (a put uploads
/// while it writes): <see cref="Slice"/> then waits until that range is final, and
/// <see cref="Stamp"/> until the file is published locally, so a tier should ask for slices in
/// ascending order, commit only after the last, and let an exception from either end the upload
/// uncommitted (it means the put failed).
/// </remarks>
public abstract class RemoteSegmentSource
{
    /// <summary>Bytes of the segment file.</summary>
    public abstract long Length { get; }

    /// <summary>Names the write (its session, time and checksums), so a node can tell its copy of this upload from an older one.</summary>
    public abstract string Stamp { get; }

    /// <summary>The entry's tags ("subject:07"), which <see cref="IRemoteTier.RemoveTagged"/> finds it by; empty by default.</summary>
    public virtual IReadOnlyList<string> Tags => [];

    /// <summary><paramref name="length"/> bytes from <paramref name="offset"/>, without a copy; waits until they are written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the file.</exception>
    /// <exception cref="OperationCanceledException">The put failed before the range was written.</exception>
    public abstract ReadOnlyMemory<byte> Slice(long offset, int length);
}

/// <summary>A local temporary segment that <see cref="IRemoteTier.Download"/> writes into.</summary>
/// <remarks>Valid only during the call it is passed to; writes may come from several threads at once, to disjoint ranges.</remarks>
public abstract class RemoteSegmentTarget
{
    /// <summary>Bytes the file must receive.</summary>
    public abstract long Length { get; }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the file.</exception>
    public abstract void Write(long offset, ReadOnlySpan<byte> bytes);
}
