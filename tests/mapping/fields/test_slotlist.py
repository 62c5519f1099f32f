from __future__ import annotations

import pytest

from connector.mapping.fields import FieldError
from connector.mapping.fields.slotlist import assign_slots

TYPES = ["work", "mobile", "other"]


@pytest.mark.parametrize(
    ("items", "slots"),
    [
        pytest.param([], {}, id="no items, no slots"),
        pytest.param([{"type": "other"}], {2: {"type": "other"}}, id="an item goes to its type"),
        pytest.param(
            [{"n": 1}, {"n": 2}],
            {0: {"n": 1}, 1: {"n": 2}},
            id="untyped items fill the slots in order",
        ),
        pytest.param(
            [{"n": 1}, {"type": "Work"}],
            {0: {"type": "Work"}, 1: {"n": 1}},
            id="typed items first, types without regard to case",
        ),
    ],
)
def test_assign_slots(items, slots):
    assert assign_slots(items, TYPES, "phones") == slots


def test_assign_slots_reports_each_bad_item():
    with pytest.raises(FieldError) as caught:
        assign_slots([{"type": "fax"}, {"type": "pager"}], TYPES, "phones")
    assert [path for path, _ in caught.value.problems] == ["phones[0].type", "phones[1].type"]
