from __future__ import annotations

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


# Intervals of minutes: the few milliseconds a busy machine takes between two calls are
# noise next to them, so these tests check counts and order, never a duration.
MINUTE = 60.0


def test_reservations_from_several_workers_are_spaced(redis_client, key_prefix):
    keys = Keys(key_prefix)
    workers = [Pacer(redis_client, keys, 7) for _ in range(3)]
    waits = [workers[i % 3].reserve(MINUTE, max_wait=10 * MINUTE) for i in range(5)]
    assert waits[0] == 0.0  # the first goes at once
    # each later one waits for the slot after the one before: one more interval in line
    for position, wait in enumerate(waits):
        assert (position - 1) * MINUTE < wait <= position * MINUTE
    assert waits == sorted(waits)


def test_a_wait_past_the_maximum_reserves_nothing(redis_client, key_prefix):
    pacer = Pacer(redis_client, Keys(key_prefix), 7)
    assert pacer.reserve(10 * MINUTE, max_wait=5 * MINUTE) == 0.0
    for _ in range(2):
        with pytest.raises(WaitTooLongError) as caught:
            pacer.reserve(10 * MINUTE, max_wait=5 * MINUTE)
        assert 9 * MINUTE < caught.value.wait <= 10 * MINUTE  # still one slot away, not two
    assert pacer.reserve(0, max_wait=5) == 0.0
