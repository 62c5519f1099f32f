from __future__ import annotations

import pytest

from connector.autotask.picklists import Picklist

RAW = [
    {"value": "1", "label": "Customer", "isActive": True, "sortOrder": 1},
    {"value": "2", "label": "Lead", "isActive": True, "sortOrder": 2},
    {"value": "4", "label": "Dead", "isActive": False, "sortOrder": 4},
    {"value": "9", "label": "Société", "isActive": True, "sortOrder": 9},
]


@pytest.fixture
def picklist() -> Picklist:
    return Picklist.from_metadata("companyType", RAW)


@pytest.mark.parametrize(
    ("label", "value"),
    [
        pytest.param("Customer", "1", id="an exact label"),
        pytest.param("  customer ", "1", id="case and surrounding space are ignored"),
        pytest.param("societe", "9", id="accents are ignored"),
        pytest.param("2", "2", id="the value itself is accepted"),
        pytest.param(2, "2", id="a numeric value is accepted"),
        pytest.param("Dead", None, id="an inactive label is refused for writes"),
        pytest.param("Nobody", None, id="an unknown label gives None"),
    ],
)
def test_value_for(picklist, label, value):
    assert picklist.value_for(label) == value


def test_label_for_knows_inactive_values_and_tolerates_numbers(picklist):
    assert picklist.label_for(4) == "Dead"
    assert picklist.label_for("1") == "Customer"
    assert picklist.label_for(None) is None
    assert picklist.label_for(77) is None


def test_active_labels_follow_sort_order(picklist):
    assert picklist.active_labels() == ["Customer", "Lead", "Société"]
    assert picklist.value_for("Dead", active_only=False) == "4"
