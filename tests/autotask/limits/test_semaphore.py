from __future__ import annotations

import threading
import time

import pytest

from connector.autotask.limits.semaphore import Semaphore, SlotsBusyError


def test_never_more_than_the_slot_count_across_threads(redis_client, key_prefix):
    key = key_prefix + "sem"
    running = 0
    peak = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal running, peak
        semaphore = Semaphore(redis_client, key, slots=3, slot_seconds=10)
        for _ in range(3):
            with semaphore.slot(timeout=10):
                with lock:
                    running += 1
                    peak = max(peak, running)
                time.sleep(0.02)
                with lock:
                    running -= 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 3
    assert Semaphore(redis_client, key, slots=3, slot_seconds=10).holders() == 0


def test_a_crashed_holder_frees_its_slot_after_expiry(redis_client, key_prefix):
    semaphore = Semaphore(redis_client, key_prefix + "sem", slots=1, slot_seconds=0.3)
    assert semaphore.try_acquire() is not None  # never released: the worker "crashed"
    assert semaphore.try_acquire() is None
    token, waited = semaphore.acquire(timeout=2)
    assert token
    assert 0.1 < waited < 3.0


def test_busy_slots_give_up_after_the_timeout(redis_client, key_prefix):
    semaphore = Semaphore(redis_client, key_prefix + "sem", slots=1, slot_seconds=10)
    semaphore.try_acquire()
    with pytest.raises(SlotsBusyError):
        semaphore.acquire(timeout=0.1)


def test_the_key_expires(redis_client, key_prefix):
    semaphore = Semaphore(redis_client, key_prefix + "sem", slots=2, slot_seconds=5)
    semaphore.try_acquire()
    assert 0 < redis_client.pttl(key_prefix + "sem") <= 5000


def test_a_slot_held_past_its_lifetime_is_renewed(redis_client, key_prefix):
    semaphore = Semaphore(redis_client, key_prefix + "sem", slots=1, slot_seconds=0.2)
    with semaphore.slot(timeout=1):
        time.sleep(0.5)  # the call is still running: nobody else may take the slot
        assert semaphore.holders() == 1
        assert semaphore.try_acquire() is None
    assert semaphore.holders() == 0


def test_a_short_slot_taken_while_a_long_one_is_held_is_renewed_too(redis_client, key_prefix):
    # the renewer sleeps until the long slot's renewal (20 s away); the short one, due far
    # sooner, must wake it (it is woken only for a renewal sooner than the one it waits for)
    long = Semaphore(redis_client, key_prefix + "long", slots=1, slot_seconds=60)
    short = Semaphore(redis_client, key_prefix + "short", slots=1, slot_seconds=0.2)
    with long.slot(timeout=1), short.slot(timeout=1):
        time.sleep(0.5)  # past the short slot's lifetime: only a renewal keeps it
        assert short.holders() == 1
        assert short.try_acquire() is None
    assert short.holders() == 0 and long.holders() == 0
