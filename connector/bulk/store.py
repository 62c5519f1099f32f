"""Bulk jobs in Redis: one hash per job, its result chunks, its errors, an index per instance.

Every key of a job expires `retention` seconds after the job's last change
(BULK_RETENTION_HOURS), so any host serves any job's result and no job's data outlives the
retention. The instance's index of job ids has no TTL: a job changed after it was made
outlived an index that expired with its creation, and then neither the listing nor the cap
(MAX_JOBS_HELD) saw it. Ids of expired jobs leave the index at the next listing or start
(both prune it), and the index goes with its instance. A job's progress and its
data move together: `checkpoint` appends a chunk and moves the cursor in one Lua script that
first checks the cursor is still the one the writer started from, so a worker that was
presumed dead and a replacement never both append the same page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import redis

from connector.storage.keys import Keys
from connector.storage.scripts import script

TERMINAL = ("COMPLETED", "ERROR", "ABORTED", "CANCELLED")
COUNTERS = ("recordsCount", "recordsFailedCount", "upstreamCalls")
PARTS = ("chunks", "errors", "input", "staged", "rows", "lease")

# KEYS[1]: the job hash; KEYS[2]: a list to append ARGV[4] to (the result chunks or rows);
# KEYS[3]: a list to append the ARGV[9..] error lines to; KEYS[4]: the job's lease.
# ARGV[1]: the field holding the position; ARGV[2]: the position the writer started from;
# ARGV[3]: the new position; ARGV[4]: the blob ('' appends nothing); ARGV[5]: a JSON object
# of counters to add; ARGV[6]: a JSON object of fields to set; ARGV[7]: TTL in seconds;
# ARGV[8]: the writer's lease owner ('' checks none).
# Returns 1 when applied, 0 when the position moved meanwhile or another worker holds the
# lease (nothing written): a worker whose lease ran out and was taken over stops here.
_CHECKPOINT = """
if ARGV[8] ~= '' then
  local holder = redis.call('GET', KEYS[4])
  if holder and holder ~= ARGV[8] then return 0 end
end
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
if redis.call('HGET', KEYS[1], 'status') ~= 'RUNNING' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
for name, amount in pairs(cjson.decode(ARGV[5])) do
  redis.call('HINCRBY', KEYS[1], name, amount)
end
for name, value in pairs(cjson.decode(ARGV[6])) do
  redis.call('HSET', KEYS[1], name, value)
end
for i = 9, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
local ttl = tonumber(ARGV[7])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
return 1
"""


# KEYS[1]: a job's lease. ARGV[1]: the owner; ARGV[2]: milliseconds. Takes a free lease or
# renews the owner's own in one step: a GET then PEXPIRE could renew a lease that expired and
# was taken by another worker in between, leaving two workers each sure they run the job.
_TAKE_LEASE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS[1]: a job's lease. ARGV[1]: the owner. Drops it only while it is the owner's (a GET
# then DEL could drop the lease of a worker that took it over in between).
_RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS[1]: the job hash. ARGV[1]: TTL; ARGV[2..]: field, value, field, value...
# Sets the fields only while the job exists (a deleted job is never brought back half-made).
_UPDATE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def binary_client(client: redis.Redis) -> redis.Redis:
    """A client on the same server that leaves values as bytes (the chunks are gzip)."""
    kwargs = dict(client.connection_pool.connection_kwargs)
    kwargs["decode_responses"] = False
    pool = redis.ConnectionPool(connection_class=client.connection_pool.connection_class, **kwargs)
    return redis.Redis(connection_pool=pool)


class BulkStore:
    def __init__(self, client: redis.Redis, keys: Keys, *, retention_seconds: int) -> None:
        self.redis = client
        self.raw = binary_client(client)
        self.keys = keys
        self.ttl = retention_seconds
        self._checkpoint = script(self.raw, _CHECKPOINT)
        self._update = script(self.redis, _UPDATE)
        self._take_lease = script(self.redis, _TAKE_LEASE)
        self._release_lease = script(self.redis, _RELEASE_LEASE)

    # -- jobs -----------------------------------------------------------------------------
    def create(self, instance_id: int, fields: dict[str, Any]) -> int:
        job_id = int(self.redis.incr(self.keys.sequence("bulk-job")))
        doc = {
            "id": job_id,
            "instanceId": instance_id,
            "status": "CREATED",
            "createdDate": now_iso(),
            "cursor": "",
            **{name: 0 for name in COUNTERS},
            **fields,
        }
        index = self.keys.bulk_jobs(instance_id)
        with self.redis.pipeline() as pipe:
            pipe.hset(self.keys.bulk_job(job_id), mapping=_encode(doc))
            pipe.expire(self.keys.bulk_job(job_id), self.ttl)
            pipe.zadd(index, {str(job_id): time.time()})
            pipe.persist(index)  # ids only, kept while any job may be: see the module's doc
            pipe.zadd(self.keys.bulk_active(), {str(job_id): time.time()})
            pipe.execute()
        return job_id

    def get(self, job_id: int) -> dict[str, Any] | None:
        raw = self.redis.hgetall(self.keys.bulk_job(job_id))
        return _decode(raw) if raw else None

    def update(self, job_id: int, **fields: Any) -> bool:
        """Set fields of an existing job; False (and nothing written) when it is gone."""
        pairs = [part for item in _encode(fields).items() for part in item]
        return bool(int(self._update(keys=[self.keys.bulk_job(job_id)], args=[self.ttl, *pairs])))

    def transition(self, job_id: int, allowed: tuple[str, ...], status: str, **fields: Any) -> bool:
        """Set `status` (and fields) only if the job's status is one of `allowed`."""
        key = self.keys.bulk_job(job_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    if pipe.hget(key, "status") not in allowed:  # None: deleted
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.hset(key, mapping=_encode({"status": status, **fields}))
                    pipe.expire(key, self.ttl)
                    if status in TERMINAL:
                        pipe.zrem(self.keys.bulk_active(), str(job_id))
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue

    def list_ids(self, instance_id: int) -> list[int]:
        """The instance's job ids, newest first; ids whose job expired with its retention
        leave the index. Three round trips however many jobs (up to MAX_JOBS_HELD and the
        expired ones): the index, one pipeline of EXISTS, one ZREM of the dead."""
        index = self.keys.bulk_jobs(instance_id)
        ids = [int(i) for i in self.redis.zrevrange(index, 0, -1)]
        if not ids:
            return []
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.exists(self.keys.bulk_job(job_id))
            found = pipe.execute()
        dead = [str(job_id) for job_id, there in zip(ids, found, strict=True) if not there]
        if dead:
            self.redis.zrem(index, *dead)
        return [job_id for job_id, there in zip(ids, found, strict=True) if there]

    def delete(self, job_id: int, instance_id: int) -> None:
        keys = [self.keys.bulk_job(job_id), *(self.keys.bulk_part(job_id, p) for p in PARTS)]
        with self.redis.pipeline() as pipe:
            pipe.delete(*keys)
            pipe.zrem(self.keys.bulk_jobs(instance_id), str(job_id))
            pipe.zrem(self.keys.bulk_active(), str(job_id))
            pipe.execute()

    def active_ids(self) -> list[int]:
        return [int(i) for i in self.redis.zrange(self.keys.bulk_active(), 0, -1)]

    def forget_active(self, job_id: int) -> None:
        self.redis.zrem(self.keys.bulk_active(), str(job_id))

    def drop_instance(self, instance_id: int) -> None:
        """Every job of a deleted instance goes with it."""
        for job_id in self.list_ids(instance_id):
            self.delete(job_id, instance_id)
        self.redis.delete(self.keys.bulk_jobs(instance_id))

    # -- progress -------------------------------------------------------------------------
    def checkpoint(
        self,
        job_id: int,
        *,
        position: str,
        expected: str,
        new: str,
        blob: bytes = b"",
        add: dict[str, int] | None = None,
        set_fields: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] = (),  # type: ignore[assignment]
        target: str = "chunks",
        owner: str = "",
    ) -> bool:
        keys = [
            self.keys.bulk_job(job_id),
            self.keys.bulk_part(job_id, target),
            self.keys.bulk_part(job_id, "errors"),
            self.keys.bulk_part(job_id, "lease"),
        ]
        args = [
            position,
            expected,
            new,
            blob,
            json.dumps(add or {}),
            json.dumps(_encode(set_fields or {})),
            self.ttl,
            owner,
            *(json.dumps(e, separators=(",", ":")) for e in errors),
        ]
        return bool(int(self._checkpoint(keys=keys, args=args)))

    def add_blob(self, job_id: int, part: str, blob: bytes) -> None:
        key = self.keys.bulk_part(job_id, part)
        with self.raw.pipeline() as pipe:
            pipe.rpush(key, blob)
            pipe.expire(key, self.ttl)
            pipe.execute()

    def blobs(self, job_id: int, part: str = "chunks", start: int = 0) -> Iterator[bytes]:
        """The part's blobs one at a time, from `start` (a long result is never all loaded)."""
        key = self.keys.bulk_part(job_id, part)
        index = start
        while True:
            found = self.raw.lrange(key, index, index)
            if not found:
                return
            yield found[0]
            index += 1

    def blob_count(self, job_id: int, part: str = "chunks") -> int:
        return int(self.raw.llen(self.keys.bulk_part(job_id, part)))

    def bytes_used(self, job_id: int, part: str = "chunks") -> int:
        return int(self.raw.memory_usage(self.keys.bulk_part(job_id, part)) or 0)

    def errors(self, job_id: int, offset: int, count: int) -> list[dict[str, Any]]:
        key = self.keys.bulk_part(job_id, "errors")
        return [json.loads(e) for e in self.redis.lrange(key, offset, offset + count - 1)]

    def error_count(self, job_id: int) -> int:
        return int(self.redis.llen(self.keys.bulk_part(job_id, "errors")))

    def clear_part(self, job_id: int, part: str) -> None:
        self.redis.delete(self.keys.bulk_part(job_id, part))

    # -- the lease of the worker running a job -------------------------------------------
    def take_lease(self, job_id: int, owner: str, seconds: float) -> bool:
        """True when `owner` now runs the job: the lease was free, expired, or its own."""
        key = self.keys.bulk_part(job_id, "lease")
        return bool(self._take_lease(keys=[key], args=[owner, int(seconds * 1000)]))

    def lease_held(self, job_id: int) -> bool:
        return bool(self.redis.exists(self.keys.bulk_part(job_id, "lease")))

    def release_lease(self, job_id: int, owner: str) -> None:
        self._release_lease(keys=[self.keys.bulk_part(job_id, "lease")], args=[owner])


def _encode(fields: dict[str, Any]) -> dict[str, str]:
    out = {}
    for name, value in fields.items():
        if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
            out[name] = "json:" + json.dumps(value)
        else:
            out[name] = str(value)
    return out


def _decode(raw: dict[str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name, value in raw.items():
        if value.startswith("json:"):
            doc[name] = json.loads(value[5:])
        elif name in (*COUNTERS, "id", "instanceId") or name.endswith("Count"):
            doc[name] = int(value)
        else:
            doc[name] = value
    return doc
