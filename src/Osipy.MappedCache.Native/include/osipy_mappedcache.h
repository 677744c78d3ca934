/*
 * osipy_mappedcache.h — the C ABI of Osipy.MappedCache, a memory-mapped, zero-copy array cache.
 *
 * Link against libosipy_mappedcache.so (NativeAOT build of src/Osipy.MappedCache.Native:
 *   dotnet publish src/Osipy.MappedCache.Native -r linux-x64 -c Release).
 * Segments written here are the same files the C# library and the Python package read: any of
 * them can put, and any can get the same pages without a copy.
 *
 * Conventions
 * - Every function returns an int32_t status (OSIPY_OK on success) and never lets an error
 *   escape any other way. After a failure, osipy_cache_last_error() describes it.
 * - Strings are NUL-terminated UTF-8. Shapes are int64_t arrays of 0..OSIPY_MAX_DIMS dimensions,
 *   each in [0, 2^31), C order (the last dimension varies fastest).
 * - Handles are opaque. Every acquire has one release: osipy_cache_open / osipy_cache_close,
 *   osipy_cache_get / osipy_cache_get_bundle / osipy_cache_get_any / osipy_cache_release,
 *   osipy_cache_create / osipy_cache_commit or osipy_cache_abandon,
 *   functions returning char* / osipy_cache_free_string.
 *   A handle that is unknown, already released, or of another kind (a cache or writer handle
 *   given to osipy_cache_release, say) gets OSIPY_BAD_HANDLE, never a crash or a close.
 * - Processes: a handle belongs to the process that opened it. A child created by fork() that
 *   uses its parent's cache, lease or writer handle gets OSIPY_WRONG_PROCESS; the child opens
 *   its own cache (its CACHED entries are then its own session's, reclaimed when it dies).
 * - fork() at any moment: the library's pthread_atfork handlers hold a fork until calls in flight
 *   in other threads return (at most 5 s) and keep new calls waiting until fork() returns, so
 *   the child starts with no call half-done. A fork from inside a fill callback does not wait
 *   (other threads may be waiting for that fill). A child forked while other threads' calls
 *   were still inside gets OSIPY_WRONG_PROCESS from every call but osipy_cache_last_error,
 *   osipy_take_warning and osipy_cache_free_string, with a message naming the fix
 *   (fork when no call is in flight, or exec: Python's 'forkserver' or 'spawn').
 * - Coherence: a get in any session or process sees what is published on disk at the time of
 *   the get (puts, replaces, invalidates and clears of other processes included); a lease keeps
 *   the snapshot it mapped.
 * - Lifetime: a data pointer from a get stays valid until its lease is released, even if the
 *   entry is invalidated, replaced, evicted or the cache closed meanwhile. The memory is a private
 *   copy-on-write mapping: writing through it never changes the cache.
 * - Thread safety: all functions may be called from any thread. osipy_cache_last_error() is
 *   per thread.
 *
 * Caveats (as LMDB's header lists its own)
 * - Truncating a segment file from outside while it is mapped kills the process with SIGBUS
 *   when the lost pages are touched. The library never truncates a published file; other
 *   tools must remove files, never truncate them.
 * - Overwriting a segment file in place from outside changes what live leases read (a
 *   private mapping shares unmodified pages with the file). The library only ever replaces
 *   files by rename.
 * - A type directory replaced by a symlink by the same user is followed (the cache refuses a
 *   symlinked cache directory and never follows a symlinked segment, but trusts its owner's
 *   own directories).
 * - Network filesystems (NFS, Lustre) give neither atomic rename nor unlink-while-mapped, nor
 *   reliable flock: use a local filesystem or a tmpfs.
 */
#ifndef OSIPY_MAPPEDCACHE_H
#define OSIPY_MAPPEDCACHE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Never renumbered; new ones are only appended. */
#define OSIPY_OK                0  /* success */
#define OSIPY_MISS              1  /* get/entry: absent, TRANSIENT, expired or corrupt (not an error) */
#define OSIPY_INVALID_ARGUMENT  2  /* NULL pointer, bad dtype code, bad ndim or shape, bad JSON, bad UTF-8 */
#define OSIPY_TYPE_MISMATCH     3  /* a bundle where an array was asked for, or the reverse */
#define OSIPY_IO_ERROR          4  /* a file could not be created, opened, written or mapped (disk full, ...) */
#define OSIPY_ACCESS_DENIED     5  /* the cache directory belongs to another user, or is not writable */
#define OSIPY_BAD_HANDLE        6  /* unknown handle, or one already released or closed */
#define OSIPY_NOT_SUPPORTED     7  /* a feature this build or platform lacks */
#define OSIPY_WRONG_PROCESS     8  /* a handle used in a child forked from the process that opened it */
#define OSIPY_FILL_FAILED       9  /* the fill callback of osipy_cache_get_or_create returned non-zero */
#define OSIPY_UNEXPECTED       99  /* anything else; see osipy_cache_last_error() */

/* Element types: the same codes as the segment format (docs/FORMAT.md). */
#define OSIPY_FLOAT32     1
#define OSIPY_FLOAT64     2
#define OSIPY_INT8        3
#define OSIPY_INT16       4
#define OSIPY_INT32       5
#define OSIPY_INT64       6
#define OSIPY_UINT8       7
#define OSIPY_UINT16      8
#define OSIPY_UINT32      9
#define OSIPY_UINT64     10
#define OSIPY_FLOAT16    11
#define OSIPY_COMPLEX128 12
#define OSIPY_BOOL       13  /* one byte, 0 or 1 (numpy's bool) */
#define OSIPY_COMPLEX64  14  /* two float32: real, imaginary */

/* Retention policies. */
#define OSIPY_TRANSIENT   0
#define OSIPY_CACHED      1
#define OSIPY_PERSISTENT  2

#define OSIPY_MAX_DIMS   32

/* Kinds of entry, reported by osipy_cache_get_any. */
#define OSIPY_KIND_ARRAY  1  /* one array */
#define OSIPY_KIND_BUNDLE 2  /* named arrays (the seed's dict data) */

typedef struct osipy_cache osipy_cache;   /* one session on a cache directory */
typedef struct osipy_lease osipy_lease;   /* keeps a got array (or bundle) mapped */
typedef struct osipy_writer osipy_writer; /* a zero-copy put in progress */
typedef struct osipy_hold osipy_hold;     /* keeps a lease's mapping for an attachment (osipy_cache_hold) */
typedef struct osipy_memory osipy_memory; /* keeps a writer's memory past its commit (osipy_cache_keep_memory) */

/* The last failure on the calling thread, as UTF-8; "" if none. Valid until the next call on
 * this thread. Never NULL; do not free. */
const char *osipy_cache_last_error(void);

/* Opens a session. config_json may be NULL or "" for the defaults, else an object with any of:
 *   "cache_dir" (string), "cached_dir" (string), "default_policy" ("transient"|"cached"|"persistent"),
 *   "policies" ({"t1_map": "persistent", ...}), "max_memory_mb" (int), "max_age_seconds" (int),
 *   "max_mapped_segments" (int), "max_quarantine_files" (int), "prefault" (bool),
 *   "compression" (bool: PERSISTENT arrays compressed at rest), "compression_by_type"
 *   ({"t1_map": true, ...}), "max_disk_mb" (int, default 0 = no limit: the directory's disk budget,
 *   shared by every process; a put beyond it removes raw copies, then entries, least recently used
 *   first), "raw_copy_budget_mb" (int, default 2048: the raw copies of compressed
 *   entries kept in the CACHED directory; beyond it the least recently used go, never one a live
 *   session maps), "verify_on_first_map" (bool), "unfinished_fill_retention_seconds" (int, default
 *   86400: how long the recorded blocks of an uncommitted osipy_cache_get_or_create_blocks are kept
 *   for a caller to resume), "legacy_osipy_dir" (string: osipy's own cache
 *   directory; a get, get-or-create or has that misses reads the md5("type:key").npz osipy wrote
 *   there, if it holds that type, and stores it by a put; a bad one is a miss with a warning for
 *   osipy_take_warning), "redis" (a StackExchange.Redis
 *   configuration string naming a Redis Cluster's nodes: PERSISTENT entries are shared with every
 *   node using it), and with it the tier's settings (docs/SCALE-OUT.md): "redis_key_prefix" (string,
 *   default "osipy"), "redis_password", "redis_user", "redis_secret" (a shared secret of at least 16
 *   bytes: manifests and chunks are authenticated), "redis_tls" (bool), "redis_tls_ca_file",
 *   "redis_tls_client_cert_file", "redis_tls_client_key_file", "redis_tls_host" (PEM paths and a
 *   host name), "redis_timeout_ms" (default 5000), "redis_lease_ms" (default 30000),
 *   "redis_chunk_bytes", "redis_window", "redis_uncommitted_chunk_seconds",
 *   "redis_change_log_length". In every path ("cache_dir", "cached_dir", the PEM files) a leading
 *   "~" or "~/" is the home directory ($HOME), as in a shell. Error messages name a setting, never its value.
 *   Unknown keys are INVALID_ARGUMENT.
 * Errors: INVALID_ARGUMENT (NULL out_cache, bad JSON, bad value; the message names the key),
 * ACCESS_DENIED (directory owned by another user), IO_ERROR (directory is a symlink, writable by
 * group or others, or cannot be created). */
int32_t osipy_cache_open(const char *config_json, osipy_cache **out_cache);

/* Ends the session: its CACHED segments are unlinked, PERSISTENT ones stay. Leases stay valid.
 * Errors: BAD_HANDLE. */
int32_t osipy_cache_close(osipy_cache *cache);

/* The policy of result_type (OSIPY_TRANSIENT, OSIPY_CACHED or OSIPY_PERSISTENT). */
int32_t osipy_cache_get_policy(osipy_cache *cache, const char *result_type, int32_t *out_policy);

/* Copies an array of `dtype` and `shape` from `data` into a new segment, replacing any entry under
 * (result_type, key) atomically. ndim is 0 to OSIPY_MAX_DIMS: 0 is a scalar (one element; shape may
 * be NULL), as numpy's 0-d arrays. metadata_json: NULL or a JSON object; its numbers keep their kind
 * (a number written with a fraction or exponent, 1400.0, comes back as one). Nothing is stored for a
 * TRANSIENT type. Errors: BAD_HANDLE, INVALID_ARGUMENT, IO_ERROR, ACCESS_DENIED. */
int32_t osipy_cache_put(osipy_cache *cache, const char *result_type, const char *key,
                        int32_t dtype, const void *data, const int64_t *shape, int32_t ndim,
                        const char *metadata_json);

/* Puts `count` named arrays as one entry (the seed's dict data). names[i], dtypes[i], datas[i],
 * shapes[i] (ndims[i] dimensions) describe array i. Errors as osipy_cache_put. */
int32_t osipy_cache_put_bundle(osipy_cache *cache, const char *result_type, const char *key,
                               int32_t count, const char *const *names, const int32_t *dtypes,
                               const void *const *datas, const int64_t *const *shapes,
                               const int32_t *ndims, const char *metadata_json);

/* Starts a zero-copy put: *out_data points at the zeroed payload of a new segment file, to be
 * filled in place, then published with osipy_cache_commit or dropped with osipy_cache_abandon.
 * Space is reserved first, so a full disk is IO_ERROR here, never a fault while writing. */
int32_t osipy_cache_create(osipy_cache *cache, const char *result_type, const char *key,
                           int32_t dtype, const int64_t *shape, int32_t ndim,
                           const char *metadata_json, osipy_writer **out_writer, void **out_data);

/* The array under (result_type, key) if any session, process or node (with "redis") has it;
 * otherwise exactly one caller in the cluster calls fill(data, bytes, user_data) to compute it in
 * place (zeroed memory of `bytes` bytes, valid only during the call; return 0 on success), while
 * the others wait, and then all map it. Outputs as osipy_cache_get; release the lease.
 * Errors: BAD_HANDLE, WRONG_PROCESS, INVALID_ARGUMENT, TYPE_MISMATCH, IO_ERROR, FILL_FAILED
 * (fill returned non-zero: nothing was published; the next waiting caller computes). */
int32_t osipy_cache_get_or_create(osipy_cache *cache, const char *result_type, const char *key,
                                  int32_t dtype, const int64_t *shape, int32_t ndim, const char *metadata_json,
                                  int32_t (*fill)(void *data, int64_t bytes, void *user_data), void *user_data,
                                  osipy_lease **out_lease, const void **out_data, int32_t *out_dtype,
                                  int32_t *out_ndim, int64_t *out_shape);

/* The entry under (result_type, key), an array or a bundle, if any session, process or node has
 * it; otherwise exactly one caller in the cluster calls compute(user_data), which stores the entry
 * under that key with an ordinary put, put_bundle or create (of any shape) and returns 0, while the
 * others wait; then every caller gets what was stored. Outputs as osipy_cache_get_any; release
 * the lease. For results whose shape is known only once computed (memoized functions).
 * Errors: MISS (a TRANSIENT type: compute ran, nothing was kept), BAD_HANDLE, WRONG_PROCESS,
 * INVALID_ARGUMENT, TYPE_MISMATCH (compute returned 0 without storing the entry), IO_ERROR, FILL_FAILED
 * (compute returned non-zero: the next waiting caller computes). */
int32_t osipy_cache_get_or_compute(osipy_cache *cache, const char *result_type, const char *key,
                                   int32_t (*compute)(void *user_data), void *user_data,
                                   osipy_lease **out_lease, int32_t *out_kind, int32_t *out_count);

/* The stored payload checksum (XxHash3-64, as in the segment's record) and byte length of array
 * `index` of a lease: what a provenance key uses for an input that came from the cache, instead of
 * hashing its bytes. Errors: BAD_HANDLE, INVALID_ARGUMENT (no such index). */
int32_t osipy_cache_lease_checksum(osipy_lease *lease, int32_t index, uint64_t *out_checksum,
                                   int64_t *out_length);

/* osipy_cache_get_or_create with a fill that resumes after a kill (docs/DESIGN.md, "Fills that
 * resume"): the outer dimension shape[0] is split into `blocks` blocks (1 <= blocks <= shape[0]),
 * block i covering rows [i*shape[0]/blocks, (i+1)*shape[0]/blocks), and
 * fill(user_data, index, data, first_row, rows) is called once per block still to compute, with
 * `data` the block's rows in the new segment (zeroed, valid only during the call; return 0 on
 * success). Each finished block is recorded durably, so after the computing process is killed,
 * or a fill returns non-zero, the next caller for the key calls fill only for the blocks not
 * recorded; the committed entry equals an uninterrupted fill's. While the blocks are filled,
 * data - first_row * (bytes of one row) is the whole new array, which osipy_cache_keep_memory
 * accepts. Outputs as osipy_cache_get; release the lease.
 * Errors: as osipy_cache_get_or_create; INVALID_ARGUMENT also for blocks out of range or ndim 0;
 * FILL_FAILED (fill returned non-zero: nothing was published, the blocks before it stay recorded). */
int32_t osipy_cache_get_or_create_blocks(osipy_cache *cache, const char *result_type, const char *key,
                                         int32_t dtype, const int64_t *shape, int32_t ndim, int32_t blocks,
                                         const char *metadata_json,
                                         int32_t (*fill)(void *user_data, int32_t index, void *data,
                                                         int64_t first_row, int64_t rows),
                                         void *user_data, osipy_lease **out_lease, const void **out_data,
                                         int32_t *out_dtype, int32_t *out_ndim, int64_t *out_shape);

/* Keeps the memory of a writer being filled mapped past the writer, until osipy_cache_release_memory:
 * `data` is osipy_cache_create's out_data (before its commit or abandon) or the pointer a
 * get_or_create fill callback is given (during the callback). When the writer commits or abandons,
 * the range becomes a private copy-on-write mapping of what was written: a pointer kept past the
 * writer reads the published bytes, and writing through it changes neither the entry, nor any
 * reader, nor other memory. For bindings whose arrays outlive a call (Python's fill arrays).
 * Errors: INVALID_ARGUMENT (not such a pointer), IO_ERROR. */
int32_t osipy_cache_keep_memory(void *data, osipy_memory **out_memory);

/* Unmaps memory kept by osipy_cache_keep_memory. Errors: BAD_HANDLE. */
int32_t osipy_cache_release_memory(osipy_memory *memory);

/* A second lease on the same array(s) as `lease`, over a mapping of its own that is private and
 * copy-on-write: writes through it reach no other lease of this process, no other process and not
 * the file, and cost a page copy only for the pages written (a writable get). Release both leases.
 * Errors: MISS (the file is no longer the entry's: invalidated or replaced since the get; copy
 * instead), BAD_HANDLE, IO_ERROR. */
int32_t osipy_cache_lease_private(osipy_lease *lease, osipy_lease **out_lease);

/* Seals and publishes the array; the writer and its data pointer are released. Errors: BAD_HANDLE, IO_ERROR. */
int32_t osipy_cache_commit(osipy_writer *writer);

/* Drops an uncommitted array; the writer and its data pointer are released. Errors: BAD_HANDLE. */
int32_t osipy_cache_abandon(osipy_writer *writer);

/* Maps the array under (result_type, key). On OSIPY_OK: *out_lease, *out_data (valid until
 * osipy_cache_release(*out_lease)), *out_dtype, *out_ndim and out_shape[0 .. ndim-1] are set;
 * out_shape must hold OSIPY_MAX_DIMS values. A 0-d array reports ndim 0.
 * On OSIPY_MISS, *out_lease is NULL. Errors: BAD_HANDLE, INVALID_ARGUMENT, TYPE_MISMATCH (a bundle), IO_ERROR. */
int32_t osipy_cache_get(osipy_cache *cache, const char *result_type, const char *key,
                        osipy_lease **out_lease, const void **out_data, int32_t *out_dtype,
                        int32_t *out_ndim, int64_t *out_shape);

/* Maps a bundle; read its arrays with osipy_cache_bundle_array. On OSIPY_MISS, *out_lease is NULL.
 * Errors: BAD_HANDLE, INVALID_ARGUMENT, TYPE_MISMATCH (a single array), IO_ERROR. */
int32_t osipy_cache_get_bundle(osipy_cache *cache, const char *result_type, const char *key,
                               osipy_lease **out_lease, int32_t *out_count);

/* Maps the entry under (result_type, key), whichever kind it is, in one look-up: *out_kind is
 * OSIPY_KIND_ARRAY or OSIPY_KIND_BUNDLE, *out_count the number of arrays (1 for an array). Read
 * each with osipy_cache_bundle_array (a single array has the name ""). On OSIPY_MISS, *out_lease
 * is NULL. Errors: BAD_HANDLE, WRONG_PROCESS, INVALID_ARGUMENT, IO_ERROR. */
int32_t osipy_cache_get_any(osipy_cache *cache, const char *result_type, const char *key,
                            osipy_lease **out_lease, int32_t *out_kind, int32_t *out_count);

/* Array `index` of a lease from any get: its name (valid while the lease lives), data, dtype and
 * shape. Errors: BAD_HANDLE, INVALID_ARGUMENT (index out of range). */
int32_t osipy_cache_bundle_array(osipy_lease *bundle, int32_t index, const char **out_name,
                                 const void **out_data, int32_t *out_dtype, int32_t *out_ndim,
                                 int64_t *out_shape);

/* Releases a lease from osipy_cache_get, osipy_cache_get_bundle or osipy_cache_get_any.
 * Errors: BAD_HANDLE (a second release, or a cache or writer handle: those are never closed here). */
int32_t osipy_cache_release(osipy_lease *lease);

/* Holds, for GPU registration and the like.
 * A hold keeps a lease's mapping for something attached to the segment's pages, such as
 * cudaHostRegister(base, length, cudaHostRegisterReadOnly): attach after osipy_cache_hold, then,
 * when told, undo the attachment and release the hold. While a hold lives the mapping is never
 * unmapped, so an attachment never outlives its pages.
 * The range to attach is the segment file mapped again, shared and read-only, once per mapping:
 * a lease's own pages are a private copy-on-write mapping, and the kernel copies every such page
 * before pinning it (even read-only), which made registering a large segment take minutes. The
 * payload lies at the same offset in both (data - lease base == twin - hold base), and the held
 * range shows the file's bytes.
 * All leases of one entry in a process share one mapping until the cache lets go of it (eviction,
 * invalidation, replacement, expiry, the mapping limit, osipy_cache_close): a caller keyed by the
 * lease's base address attaches once per mapping and reuses it for every later get. */

/* Called once per hold when the cache lets go of the held mapping: on the thread that let go (the
 * caller of osipy_cache_invalidate or osipy_cache_close, say, or a library thread), outside the
 * library's locks. Undo the attachment, then call osipy_cache_release_hold, here or later (once
 * transfers in flight end); the mapping stays until then. */
typedef void (*osipy_leaving_fn)(osipy_hold *hold, void *user_data);

/* The lease's own mapping: *out_base (page-aligned, where the lease's data pointers lie) and
 * *out_length bytes. Identifies the mapping, to find an attachment made on an earlier get.
 * Errors: BAD_HANDLE, INVALID_ARGUMENT (a bundle of no arrays). */
int32_t osipy_cache_lease_mapping(osipy_lease *lease, void **out_base, int64_t *out_length);

/* Holds the lease's mapping (it outlives the lease if need be) and sets *out_hold, and *out_base
 * and *out_length to the range to attach: the shared read-only mapping of the same file, payload
 * at the lease's offsets. `leaving` is called once when the cache lets go, with *out_hold and
 * user_data (possibly before this call returns, on another thread). Returns OSIPY_MISS, with
 * *out_hold NULL, when there is nothing to hold: the cache has already let go of the mapping, or
 * its file no longer has that name (replaced or removed since): read through the lease as usual.
 * Release each hold once, with osipy_cache_release_hold, from `leaving` or after it; a hold released
 * earlier is not called back, but must not be released while its `leaving` may be running.
 * Errors: BAD_HANDLE, INVALID_ARGUMENT (leaving NULL, a bundle of no arrays). */
int32_t osipy_cache_hold(osipy_lease *lease, osipy_leaving_fn leaving, void *user_data,
                         osipy_hold **out_hold, void **out_base, int64_t *out_length);

/* Releases a hold: the mapping goes once no lease or hold keeps it. Undo the attachment first.
 * Errors: BAD_HANDLE (a second release, or a handle of another kind). */
int32_t osipy_cache_release_hold(osipy_hold *hold);

/* *out_has = 1 if a get would hit, else 0. Never maps or reads the payload. */
int32_t osipy_cache_has(osipy_cache *cache, const char *result_type, const char *key, int32_t *out_has);

/* Removes one entry (from disk too). */
int32_t osipy_cache_invalidate(osipy_cache *cache, const char *result_type, const char *key);

/* Removes every entry carrying `tag` (tags are given in metadata_json as "osipy_tags": ["subject:07",
 * ...] to any put, create or get_or_create), from the directory, every session's and process's,
 * with their raw copies, and with a cluster ("redis") each PERSISTENT one from the cluster and every
 * node; *out_removed is how many entries the directory lost. Reads every entry's record.
 * Errors: BAD_HANDLE, INVALID_ARGUMENT (an empty tag, over 256 bytes, or with control characters). */
int32_t osipy_cache_invalidate_tag(osipy_cache *cache, const char *tag, int32_t *out_removed);

/* Removes every entry of result_type, or every entry when result_type is NULL. */
int32_t osipy_cache_clear(osipy_cache *cache, const char *result_type);

/* Statistics as a JSON object: memory_entries, memory_size_mb, max_memory_mb, cache_dir,
 * disk_entries, disk_size_bytes, hits, misses, hit_rate, evictions, max_disk_mb, disk_used_bytes,
 * disk_evictions, expirations, corrupt_segments,
 * quarantine_files, quarantine_bytes, remote_hits, remote_misses, remote_errors, remote_conflicts
 * (the remote tier's, 0 without one).
 * Free *out_json with osipy_cache_free_string. */
int32_t osipy_cache_stats_json(osipy_cache *cache, char **out_json);

/* The entry as JSON without mapping it: key, result_type, created_at (ISO 8601), size_bytes,
 * metadata, policy, dtype (code or null for a bundle), shape, array_names. OSIPY_MISS if absent.
 * Free *out_json with osipy_cache_free_string. */
int32_t osipy_cache_entry_json(osipy_cache *cache, const char *result_type, const char *key, char **out_json);

/* Every entry of result_type (every entry when it is NULL), as JSON {"entries": [...]}, each
 * element as osipy_cache_entry_json describes one, without mapping any. Free with
 * osipy_cache_free_string. Errors: BAD_HANDLE, IO_ERROR. */
int32_t osipy_cache_entries_json(osipy_cache *cache, const char *result_type, char **out_json);

/* Frees a string returned by this library. NULL is allowed. */
int32_t osipy_cache_free_string(char *s);

/* The oldest warning the library logged and nobody has taken yet (any session of this process:
 * for example "Remote tier unreachable (...); working locally ...", once per outage), or NULL in
 * *out_warning when there is none. Free a non-NULL one with osipy_cache_free_string. At most 64
 * wait; later ones are dropped, and the next one taken says how many. Unlike every other call it
 * leaves osipy_cache_last_error() as it was, so it may be called between a failed call and that. */
int32_t osipy_take_warning(char **out_warning);

/* For bindings whose callbacks need a lock that the forking thread holds (Python's GIL): called
 * with that lock released, just before fork(), it does what the fork handler would (waits, at
 * most 5 s, for other threads' calls to return, and holds new ones), so that callbacks in flight
 * can finish. fork() must follow: until it returns, other threads' calls wait. Returns OSIPY_OK. */
int32_t osipy_cache_prepare_fork(void);

#ifdef __cplusplus
}
#endif

#endif /* OSIPY_MAPPEDCACHE_H */
