from __future__ import annotations

import pytest

from connector.autotask.queries import ALL_ROWS, normalize_filter, query_body
from connector.errors import BadRequestError, ProviderValidationError
from tests.autotask.conftest import upstream

ACTIVE = [{"op": "eq", "field": "isActive", "value": 1}]


# -- pure ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(None, ALL_ROWS, id="None selects every row"),
        pytest.param([], ALL_ROWS, id="an empty list selects every row, not none"),
        pytest.param(
            {"op": "eq", "field": "id", "value": 1},
            [{"op": "eq", "field": "id", "value": 1}],
            id="one item alone is wrapped",
        ),
        pytest.param(ACTIVE, ACTIVE, id="a list is kept"),
    ],
)
def test_normalize_filter(given, expected):
    assert normalize_filter(given) == expected


def test_query_body_always_asks_for_the_id():
    body = query_body(ACTIVE, ["firstName", "ID", "lastName"], 500)
    assert body == {
        "filter": ACTIVE,
        "MaxRecords": 500,
        "IncludeFields": ["id", "firstName", "lastName"],
    }


@pytest.mark.parametrize("size", [pytest.param(0, id="zero"), pytest.param(501, id="over 500")])
def test_query_body_refuses_page_sizes_autotask_refuses(size):
    with pytest.raises(BadRequestError):
        query_body(None, None, size)


# -- against the sandbox ---------------------------------------------------------------
@pytest.fixture(scope="module")
def big_box():
    """A sandbox with 1,234 contacts, shared by this module's read-only tests."""
    from tests.fixtures.sandbox import SandboxConfig, SandboxHandle

    handle = SandboxHandle(SandboxConfig(records=10, seed_counts={"Contacts": 1234}))
    yield handle
    handle.stop()


def test_paging_returns_every_row_once_in_id_order_in_ceil_n_over_500_calls(big_box, make_client):
    client = make_client(big_box)
    big_box.clear_requests()
    rows = list(client.query("Contacts", None))
    ids = [row["id"] for row in rows]
    assert ids == big_box.ids("Contacts")
    assert len(ids) == 1234
    assert len(set(ids)) == 1234
    query_calls = [r for r in upstream(big_box, "/Contacts/query") if "count" not in r["path"]]
    assert len(query_calls) == 3
    assert client.stats["query"] == 3


def test_paging_follows_next_page_url_with_the_same_body(big_box, make_client):
    client = make_client(big_box)
    big_box.clear_requests()
    list(client.query("Contacts", ACTIVE, fields=["firstName"]))
    calls = [r for r in upstream(big_box, "/Contacts/query") if "count" not in r["path"]]
    assert [c["method"] for c in calls] == ["POST"] * len(calls)
    assert all("/query/next" in c["path"].lower() for c in calls[1:])
    assert all(c["body"]["filter"] == ACTIVE for c in calls)


def test_exact_multiples_of_500_take_no_extra_call(big_box, make_client):
    client = make_client(big_box)
    thousandth = big_box.ids("Contacts")[999]
    big_box.clear_requests()
    rows = list(client.query("Contacts", [{"op": "lte", "field": "id", "value": thousandth}]))
    assert len(rows) == 1000
    assert client.stats["query"] == 2


def test_include_fields_come_back_with_the_id(big_box, make_client):
    client = make_client(big_box)
    row = next(iter(client.query("Contacts", None, fields=["lastName"])))
    assert set(row) - {"userDefinedFields"} == {"id", "lastName"}


def test_count(big_box, make_client):
    client = make_client(big_box)
    assert client.count("Contacts", None) == 1234
    assert client.count("Contacts", ACTIVE) == big_box.count("Contacts", isActive=1)


def test_query_page_is_one_call(big_box, make_client):
    client = make_client(big_box)
    page = client.query_page("Contacts", None, max_records=100)
    assert len(page.items) == 100
    assert page.has_more
    last = client.query_page("Contacts", [{"op": "gt", "field": "id", "value": page.last_id}])
    assert len(last.items) == 500
    assert last.has_more
    tail_start = big_box.ids("Contacts")[-3]
    tail = client.query_page("Contacts", [{"op": "gte", "field": "id", "value": tail_start}])
    assert len(tail.items) == 3
    assert not tail.has_more
    assert client.stats["query"] == 3


def test_an_unknown_field_keeps_autotask_text(big_box, make_client):
    client = make_client(big_box)
    with pytest.raises(ProviderValidationError) as caught:
        list(client.query("Contacts", [{"op": "eq", "field": "shoeSize", "value": 1}]))
    assert "shoeSize" in caught.value.provider_message
    assert caught.value.status == 400
    assert client.stats["query"] == 1  # a refusal is not retried
