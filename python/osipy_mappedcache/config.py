"""The seed's configuration types: RetentionPolicy and CacheConfig."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class RetentionPolicy(Enum):
    """How long a result type's entries are kept."""

    TRANSIENT = "transient"    # never stored: put does nothing, get misses
    CACHED = "cached"          # kept for the session; the file is removed when it ends
    PERSISTENT = "persistent"  # kept on disk for later sessions and other processes

    @classmethod
    def from_code(cls, code: int) -> RetentionPolicy:
        """The policy of a header code (OSIPY_TRANSIENT=0, OSIPY_CACHED=1, OSIPY_PERSISTENT=2)."""
        try:
            return _BY_CODE[code]
        except KeyError:
            raise RuntimeError(f"The native library returned unknown policy code {code}.") from None


_BY_CODE = {0: RetentionPolicy.TRANSIENT, 1: RetentionPolicy.CACHED, 2: RetentionPolicy.PERSISTENT}


@dataclass
class CacheConfig:
    """Configuration of an IntermediateCache, as in osipy, plus three settings of this store.

    Attributes:
        default_policy: the policy of result types not named in ``policies``.
        policies: per result type policies, e.g. ``{"t1_map": RetentionPolicy.PERSISTENT}``.
        cache_dir: directory of segment files; None means ``<tempdir>/osipy_cache_<user>``,
            created 0700.  A symlink or a directory owned by another user is refused.  A leading
            ``~`` is expanded (``os.path.expanduser``), here and in every path setting.
        max_memory_mb: what one session may hold (its CACHED files plus what it has mapped)
            before least recently used entries are evicted.
        max_age_seconds: entries older than this are misses (0: no limit).
        compression: False here, unlike the seed's True: a compressed segment cannot be mapped
            without a copy.  True compresses PERSISTENT arrays at rest (shuffle + LZ4); each node
            then decompresses an entry once, into a raw copy that all its processes map.
        cached_dir: where CACHED segments go (e.g. ``/dev/shm/osipy``); None: under cache_dir.
        max_mapped_segments: segments kept mapped at once (Linux allows 65,530 mappings).
        max_disk_mb: the cache directory's disk budget in MiB, shared by every process using it (0,
            the default: no limit); a put beyond it removes raw copies, then entries, least
            recently used first; an entry larger than the budget raises OSError.
        raw_copy_budget_mb: MiB of raw copies of compressed entries kept for the node's next gets
            (default 2048, one large 4D series); beyond it the least recently used are removed when
            a session opens or ends, never one a live session maps.
        prefault: read a whole array in on get, so later access never waits on page faults.
        compression_by_type: per result type override of ``compression``.
        verify_on_first_map: check a segment's payload checksums the first time a session maps it.
        max_quarantine_files: corrupt files kept for inspection in each quarantine directory.
        legacy_osipy_dir: the cache directory of osipy's own IntermediateCache (its cache_dir;
            osipy's default is ``<tempdir>/osipy_cache``).  A get, get_or_create or has that
            misses falls back to the file osipy wrote for the key (``md5("type:key").npz``): if it
            holds the type asked for and is no older than max_age_seconds, it is stored here by a
            put under the type's policy (osipy's metadata and created_at kept) and returned.  A
            file of another type is never returned; an object (pickled) array, a dtype the cache
            cannot hold or a damaged file is a miss, logged with its reason through the
            ``osipy_mappedcache`` logger.  Nothing is unpickled; only regular files this user owns
            are read, never through a symlink; the directory is only read.
        unfinished_fill_retention_seconds: how long the recorded blocks of a ``get_or_create``
            with ``blocks`` that did not commit (its process was killed, or its fill raised) are
            kept for a caller to resume (default 86400, one day); older ones are removed when a
            session opens or by ``osipy-cache gc``, never one a fill is using.
        redis: a StackExchange.Redis configuration string naming a Redis Cluster's nodes
            (``"10.0.0.5:7000,10.0.0.6:7000"``): PERSISTENT results are shared with every node
            using it (docs/SCALE-OUT.md); None keeps the cache on this node.
        redis_key_prefix: prefix of every key written to the cluster.
        redis_password, redis_user: the cluster's credentials (never shown by ``repr``).
        redis_secret: a secret shared by every node (at least 16 bytes): manifests and chunks are
            authenticated, and nothing written without it is served (never shown by ``repr``).
        redis_tls, redis_tls_ca_file, redis_tls_client_cert_file, redis_tls_client_key_file,
            redis_tls_host: TLS, a private CA's PEM file, a client certificate and key, and the
            host name the cluster's certificates carry.
        redis_timeout_ms: the timeout of every call to the cluster (after a failure the cluster
            is skipped for a growing back-off, and a warning is logged once per outage through
            the ``osipy_mappedcache`` logger).
        redis_lease_ms: how long a get_or_create lease lives without renewal.
        redis_chunk_bytes, redis_window, redis_uncommitted_chunk_seconds, redis_change_log_length:
            transfer and change-log sizes (docs/SCALE-OUT.md); None keeps the library's default.
    """

    default_policy: RetentionPolicy = RetentionPolicy.CACHED
    policies: dict[str, RetentionPolicy] = field(default_factory=dict)
    cache_dir: Path | str | None = None
    max_memory_mb: int = 1024
    max_age_seconds: int = 3600
    compression: bool = False
    cached_dir: Path | str | None = None
    max_mapped_segments: int = 16_384
    prefault: bool = False
    compression_by_type: dict[str, bool] = field(default_factory=dict)
    verify_on_first_map: bool = False
    max_quarantine_files: int = 64
    redis: str | None = None
    redis_key_prefix: str = "osipy"
    redis_password: str | None = None
    redis_user: str | None = None
    redis_secret: str | None = None
    redis_tls: bool = False
    redis_tls_ca_file: Path | str | None = None
    redis_tls_client_cert_file: Path | str | None = None
    redis_tls_client_key_file: Path | str | None = None
    redis_tls_host: str | None = None
    redis_timeout_ms: int | None = None
    redis_lease_ms: int | None = None
    redis_chunk_bytes: int | None = None
    redis_window: int | None = None
    redis_uncommitted_chunk_seconds: int | None = None
    redis_change_log_length: int | None = None
    raw_copy_budget_mb: int = 2048
    max_disk_mb: int = 0
    legacy_osipy_dir: Path | str | None = None
    unfinished_fill_retention_seconds: int = 86_400

    def __repr__(self) -> str:
        # Written by hand so that no credential reaches a log: the generated one shows every field.
        shown = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in ("redis_password", "redis_secret") and value is not None:
                value = "***"
            elif name == "redis" and value is not None:
                value = _redact(str(value))
            shown.append(f"{name}={value!r}")
        return f"CacheConfig({', '.join(shown)})"

    def to_json(self) -> str:
        """The config_json that osipy_cache_open reads.

        Values are checked by the library (a bad one is ValueError); only the Python types are
        converted here.  A policy may be given as a RetentionPolicy or its string value.
        """
        document = {
            "default_policy": RetentionPolicy(self.default_policy).value,
            "policies": {
                str(name): RetentionPolicy(policy).value for name, policy in self.policies.items()
            },
            "max_memory_mb": self.max_memory_mb,
            "max_age_seconds": self.max_age_seconds,
            "max_mapped_segments": self.max_mapped_segments,
            "raw_copy_budget_mb": self.raw_copy_budget_mb,
            "max_disk_mb": self.max_disk_mb,
            "prefault": bool(self.prefault),
            "compression": bool(self.compression),
            "compression_by_type": {str(name): bool(flag) for name, flag in self.compression_by_type.items()},
            "verify_on_first_map": bool(self.verify_on_first_map),
            "max_quarantine_files": self.max_quarantine_files,
            "unfinished_fill_retention_seconds": self.unfinished_fill_retention_seconds,
        }
        # Absent means "the default directory"; the library has no null for it.
        # "~/osipy-cache" is the home directory's, as everywhere in Python, never a directory named "~".
        if self.cache_dir is not None:
            document["cache_dir"] = str(Path(self.cache_dir).expanduser())
        if self.cached_dir is not None:
            document["cached_dir"] = str(Path(self.cached_dir).expanduser())
        if self.legacy_osipy_dir is not None:
            document["legacy_osipy_dir"] = str(Path(self.legacy_osipy_dir).expanduser())
        if self.redis is not None:
            document["redis"] = str(self.redis)
            document["redis_key_prefix"] = str(self.redis_key_prefix)
            document["redis_tls"] = bool(self.redis_tls)
            for name in ("redis_password", "redis_user", "redis_secret", "redis_tls_host"):
                if getattr(self, name) is not None:
                    document[name] = str(getattr(self, name))
            for name in ("redis_tls_ca_file", "redis_tls_client_cert_file", "redis_tls_client_key_file"):
                if getattr(self, name) is not None:
                    document[name] = str(Path(getattr(self, name)).expanduser())
            for name in ("redis_timeout_ms", "redis_lease_ms", "redis_chunk_bytes", "redis_window",
                         "redis_uncommitted_chunk_seconds", "redis_change_log_length"):
                if getattr(self, name) is not None:
                    document[name] = int(getattr(self, name))
        return json.dumps(document)


def _redact(configuration: str) -> str:
    """A StackExchange.Redis configuration string with any password option's value hidden."""
    return ",".join(
        part.split("=", 1)[0] + "=***" if part.strip().lower().startswith("password=") else part
        for part in configuration.split(",")
    )
