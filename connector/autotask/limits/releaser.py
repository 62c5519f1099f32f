"""Slot releases sent after the answer, by a few sender threads per process.

A call ends by dropping its concurrency slot and sending the instance's usage figures: one
Redis round trip plus redis-py's own work, about 0.6 ms of an uncached hub read on this 2-core
machine, on the response path although the answer no longer depends on it. `Limits.admit`
hands them here instead and returns; a sender thread sends each at once, in one pipeline
with its usage figures (one release a send, so a stalled connection holds back one slot).

What that changes, and why it is safe:
- a slot stays taken the moment longer the release waits, never shorter: more careful of
  Autotask's thread limit, not less; an admission that finds every slot taken while this
  process still has releases of that endpoint queued waits for them (`flush`) before it
  polls, so the delay never costs a free slot's wait;
- the request count is untouched (it is counted when admitted); an instance's usage figures
  show a call that moment later, and readers in this process call `flush` first;
- a release that fails (Redis gone) leaves the slot to expire after its lifetime, as a
  crashed worker's does, with one log line; its thread goes on with the next;
- a process that exits sends what is queued first (bounded by FLUSH_AT_EXIT_SECONDS); one
  killed leaves its slots to expire, as before.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis as redis_lib

from connector.autotask.limits.per_process import PerProcess

log = logging.getLogger("connector.autotask")

FLUSH_AT_EXIT_SECONDS = 2.0
SENDER_THREADS = 4


@dataclass(frozen=True)
class Release:
    """One call's release: drop `token` from the holders at `key`, send what it reported."""

    redis: redis_lib.Redis
    key: str
    token: str
    reports: tuple[tuple[Callable[..., None], tuple], ...]  # (queue(pipe, *args), args)


class Releaser:
    """`threads` senders: a release waits behind a stalled connection only when that many
    are stalled at once (one thread held back every release after a half-open connection's,
    and with them the slots of calls that had ended, for every worker on the integration)."""

    def __init__(self, threads: int = SENDER_THREADS) -> None:
        lock = threading.Lock()
        self._wake = threading.Condition(lock)  # flush waits on it: a release was sent
        # a sender waits on it for work: one is woken a release (waking every sender on
        # each was a thundering herd for the GIL on the answer's path)
        self._work = threading.Condition(lock)
        self._queue: deque[tuple[int, Release]] = deque()
        self._handed = 0  # the sequence number of the last release handed in
        self._unsent: set[int] = set()  # those not sent (or given up on) yet, queued or not
        self._pending: Counter[str] = Counter()  # holders key -> releases not yet sent
        for number in range(threads):
            name = f"autotask-slot-releaser-{number}"
            threading.Thread(target=self._run, name=name, daemon=True).start()

    def submit(self, release: Release) -> None:
        with self._wake:
            self._handed += 1
            self._queue.append((self._handed, release))
            self._unsent.add(self._handed)
            self._pending[release.key] += 1
            self._work.notify()

    def pending(self, key: str) -> int:
        """Releases of the holders at `key` this process has not sent yet."""
        with self._wake:
            return self._pending[key]

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every release handed in before this call is sent; False on timeout."""
        with self._wake:
            target = self._handed
            return self._wake.wait_for(
                lambda: min(self._unsent, default=target + 1) > target, timeout
            )

    def _run(self) -> None:
        while True:
            with self._work:
                self._work.wait_for(lambda: bool(self._queue))
                # one release a send: a batch on one connection that stalls holds back every
                # slot in it (three calls admitted in quick succession were all one batch)
                batch = [self._queue.popleft()]
            try:
                send([release for _, release in batch])
            finally:
                with self._wake:
                    self._unsent.difference_update(number for number, _ in batch)
                    self._pending.subtract(release.key for _, release in batch)
                    self._pending += Counter()  # drop the keys at zero
                    self._wake.notify_all()


def send(batch: list[Release]) -> None:
    """One pipeline per Redis client, in the order handed in. Failures are logged, never
    raised: the answers went out already, and the slots expire by themselves."""
    by_client: dict[int, list[Release]] = {}
    for release in batch:
        by_client.setdefault(id(release.redis), []).append(release)
    for releases in by_client.values():
        try:
            with releases[0].redis.pipeline(transaction=False) as pipe:
                for release in releases:
                    pipe.zrem(release.key, release.token)
                    for queue, args in release.reports:
                        queue(pipe, *args)
                outcomes = pipe.execute(raise_on_error=False)
        except Exception as exc:  # noqa: BLE001 - this thread must outlive any failure
            log.warning(
                "%d Autotask slot release(s) not sent (the slots expire by themselves): %s",
                len(releases),
                type(exc).__name__,
            )
            continue
        failed = next((o for o in outcomes if isinstance(o, Exception)), None)
        if failed is not None:
            log.warning("a call's release or usage was not counted: %s", type(failed).__name__)


_releasers: PerProcess[Releaser] = PerProcess(lambda: Releaser())


def process_releaser() -> Releaser:
    """This process's releaser; a forked worker starts its own (threads do not survive fork)."""
    return _releasers.get()


def flush(timeout: float = 5.0) -> bool:
    """Wait for this process's queued releases (none started: nothing to wait for)."""
    releaser = _releasers.made()
    return True if releaser is None else releaser.flush(timeout)


def _flush_at_exit(*_: Any) -> None:
    flush(FLUSH_AT_EXIT_SECONDS)


atexit.register(_flush_at_exit)
