"""connector/tenancy/counts.py on a real Redis: the count is the owner's index plus the
claims in flight, and a claim its process never gave back lapses."""

from __future__ import annotations

import pytest

from connector.storage.keys import Keys
from connector.tenancy import counts
from connector.tenancy.counts import CountCap, CountCapError
from tests.fixtures.jobs import wait_for


@pytest.fixture
def keys(key_prefix) -> Keys:
    return Keys(key_prefix)


@pytest.mark.parametrize(
    "fill",
    [
        pytest.param(lambda r, k: r.sadd(k, 1, 2), id="a set index counts its members"),
        pytest.param(lambda r, k: r.zadd(k, {"1": 1, "2": 2}), id="a sorted set index too"),
    ],
)
def test_the_index_and_claims_in_flight_count_together(redis_client, keys, fill):
    index = keys.pattern("things", 1)
    fill(redis_client, index)
    cap = CountCap(redis_client, keys, "things", limit=3, what="things")
    with cap.place(1, index):
        with pytest.raises(CountCapError, match="limit 3"):
            with cap.place(1, index):
                pass
    with cap.place(1, index):  # the first claim was given back
        pass
    assert redis_client.zcard(keys.count_claims("things", "1")) == 0


def test_a_claim_never_given_back_lapses(redis_client, keys, monkeypatch):
    monkeypatch.setattr(counts, "CLAIM_SECONDS", 1)
    index = keys.pattern("things", 2)
    cap = CountCap(redis_client, keys, "things", limit=1, what="things")
    abandoned = cap.place(2, index)
    abandoned.__enter__()  # a process that died holding its place never exits the block
    with pytest.raises(CountCapError):
        with cap.place(2, index):
            pass

    def room() -> bool:
        try:
            with cap.place(2, index):
                return True
        except CountCapError:
            return False

    wait_for(room, timeout=5, what="the abandoned claim to lapse")
