"""Background work (bulk jobs) never takes an endpoint's last free slot: interactive hub
calls always find one while jobs run. Real Redis, real semaphore scripts."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

import pytest

from connector.autotask.errors import LimitWaitError
from connector.storage.keys import Keys
from tests.autotask.limits.test_limits import make_limits


def test_background_fills_all_but_one_slot_and_interactive_takes_the_last(redis_client, key_prefix):
    limits = make_limits(redis_client, Keys(key_prefix))
    semaphore = limits.semaphore("Contacts")
    with ExitStack() as held:
        held.enter_context(limits.admit("Contacts", background=True))
        held.enter_context(limits.admit("Contacts", background=True))
        assert semaphore.holders() == 2
        with (
            pytest.raises(LimitWaitError),
            limits.admit("Contacts", background=True, slot_wait=0.1),
        ):
            pass
        with limits.admit("Contacts", slot_wait=0.1):  # the slot left for interactive calls
            assert semaphore.holders() == 3
    assert semaphore.holders() == 0


def test_background_waits_while_interactive_calls_leave_a_single_slot(redis_client, key_prefix):
    limits = make_limits(redis_client, Keys(key_prefix))
    got_slot_at: list[float] = []

    def background() -> None:
        with limits.admit("Contacts", background=True, slot_wait=5):
            got_slot_at.append(time.monotonic())

    with ExitStack() as held:
        held.enter_context(limits.admit("Contacts"))
        held.enter_context(limits.admit("Contacts"))
        worker = threading.Thread(target=background)
        worker.start()
        worker.join(0.3)
        assert worker.is_alive() and not got_slot_at  # one slot is free, and it is kept
        release_time = time.monotonic()
    worker.join(5)
    assert got_slot_at and got_slot_at[0] >= release_time


def test_background_counts_only_requests_that_got_a_slot(redis_client, key_prefix):
    limits = make_limits(redis_client, Keys(key_prefix))
    with ExitStack() as held:
        held.enter_context(limits.admit("Contacts", background=True))
        held.enter_context(limits.admit("Contacts", background=True))
        with pytest.raises(LimitWaitError), limits.admit("Contacts", background=True, slot_wait=0):
            pass
    assert limits.usage().own == 2


def test_a_single_slot_still_serves_background_work(redis_client, key_prefix):
    limits = make_limits(redis_client, Keys(key_prefix), slots=1)
    with limits.admit("Contacts", background=True, slot_wait=0.1):
        assert limits.semaphore("Contacts").holders() == 1


def test_the_client_flag_reaches_the_limits(redis_client, key_prefix, sandbox):
    from connector.autotask import AutotaskClient
    from connector.autotask.models import Credentials, Zone
    from connector.config import Settings

    settings = Settings(key_prefix=key_prefix, autotask_max_wait=0.2, autotask_retries=0)
    zone = Zone("sandbox", sandbox.api_url, sandbox.web_url, 0)
    creds = sandbox.credentials
    client = AutotaskClient(
        Credentials(creds.username, creds.secret, creds.integration_code),
        zone,
        redis=redis_client,
        keys=Keys(key_prefix),
        settings=settings,
    )
    client.background = True
    semaphore = client.caller.limits.semaphore("Companies")
    with ExitStack() as held:
        held.enter_context(client.caller.limits.admit("Companies"))
        held.enter_context(client.caller.limits.admit("Companies"))
        # two interactive calls in flight: the background client must not take the third slot
        with pytest.raises(LimitWaitError):
            client.caller.call("query", "GET", "Companies/0", endpoint="Companies")
        assert semaphore.holders() == 2
    client.background = False
    assert client.get("Companies", 0) is not None  # interactive: takes the free slot
