from __future__ import annotations

import time

import pytest

from connector.autotask.limits.pacing import Pacer, WaitTooLongError, pacing_interval
from connector.storage.keys import Keys


@pytest.mark.parametrize(
    ("used", "limit", "interval"),
    [
        pytest.param(4999, 10000, 0.0, id="below half: no pacing"),
        pytest.param(5000, 10000, 3600 / 5000, id="at half: the rest spread over the hour"),
        pytest.param(9000, 10000, 3.6, id="near the limit: slower"),
        pytest.param(10000, 10000, 3600.0, id="at the limit: one request an hour"),
        pytest.param(100, None, 0.0, id="an unknown limit: no pacing"),
    ],
)
def test_pacing_interval(used, limit, interval):
    assert pacing_interval(used, limit, 3600, 0.5) == pytest.approx(interval)


def test_reservations_from_several_workers_are_spaced(redis_client, key_prefix):
    keys = Keys(key_prefix)
    workers = [Pacer(redis_client, keys, 7) for _ in range(3)]
    send_times = []
    for i in range(5):
        wait = workers[i % 3].reserve(0.2, max_wait=5)
        send_times.append(time.monotonic() + wait)  # when this request may go out
        if i == 0:
            assert wait == pytest.approx(0.0, abs=0.02)
    for earlier, later in zip(send_times, send_times[1:], strict=False):
        assert later - earlier == pytest.approx(0.2, abs=0.03)


def test_a_wait_past_the_maximum_reserves_nothing(redis_client, key_prefix):
    pacer = Pacer(redis_client, Keys(key_prefix), 7)
    assert pacer.reserve(10, max_wait=5) == pytest.approx(0.0, abs=0.02)
    for _ in range(2):
        with pytest.raises(WaitTooLongError) as caught:
            pacer.reserve(10, max_wait=5)
        assert caught.value.wait == pytest.approx(10, abs=0.1)  # still 10 s away, not 20
    assert pacer.reserve(0, max_wait=5) == 0.0
