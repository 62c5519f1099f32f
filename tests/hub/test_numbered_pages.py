"""`page=N` beside or instead of `nextPage`, as Cloud Elements clients send it, over real HTTP:
the pages are those the nextPage chain gives, and each costs the Autotask calls counted here."""

from __future__ import annotations

import pytest

from connector.hub import numbered_pages

CONTACTS = 45


@pytest.fixture
def box(make_sandbox):
    return make_sandbox(seed_counts={"Contacts": CONTACTS})


@pytest.fixture
def contacts_hub(connect_hub, box):
    return connect_hub(box)


def chain(hub, path: str, **params) -> list[list[int]]:
    """The ids of every page, following Elements-Next-Page-Token from the first."""
    pages, token = [], None
    while True:
        response = hub.get(path, **params, **({"nextPage": token} if token else {}))
        assert response.status_code == 200, response.text
        pages.append([r["id"] for r in response.json()])
        token = response.headers.get("Elements-Next-Page-Token")
        if not token:
            return pages


def queries(box) -> list[dict]:
    """The Contacts queries sent to the sandbox (not counts)."""
    return [r for r in box.requests(path_contains="Contacts/query") if "count" not in r["path"]]


def page_ids(hub, path: str, page: int, **params) -> list[int]:
    response = hub.get(path, page=page, **params)
    assert response.status_code == 200, response.text
    assert int(response.headers["Elements-Returned-Count"]) == len(response.json())
    return [r["id"] for r in response.json()]


def included_fields(request: dict) -> set[str]:
    body = request["body"]
    return {f.lower() for f in (body.get("IncludeFields") or body.get("includeFields") or [])}


def test_pages_asked_in_order_cost_one_call_each(contacts_hub, box):
    expected = chain(contacts_hub, "contacts", pageSize=4)
    box.clear_requests()
    for number, ids in enumerate(expected[:4], start=1):
        assert page_ids(contacts_hub, "contacts", number, pageSize=4) == ids
    assert len(queries(box)) == 4  # pages 2, 3 and 4 started where the page before ended


def test_a_page_nobody_asked_for_reads_ids_only_then_the_next_costs_one_call(contacts_hub, box):
    expected = chain(contacts_hub, "contacts", pageSize=3)
    box.clear_requests()
    assert page_ids(contacts_hub, "contacts", 6, pageSize=3) == expected[5]
    skip, page = queries(box)
    assert included_fields(skip) == {"id"}  # 15 rows skipped in one call, ids only
    assert skip["body"].get("MaxRecords") == 15
    assert included_fields(page) != {"id"}
    box.clear_requests()
    assert page_ids(contacts_hub, "contacts", 7, pageSize=3) == expected[6]
    assert page_ids(contacts_hub, "contacts", 3, pageSize=3) == expected[2]  # crossed by the skip
    assert len(queries(box)) == 2


def test_the_token_wins_over_the_page_number(contacts_hub):
    first = contacts_hub.get("contacts", page=1, pageSize=2)
    token = first.headers["Elements-Next-Page-Token"]
    second = contacts_hub.get("contacts", page=2, pageSize=2, nextPage=token)
    wrong_number = contacts_hub.get("contacts", page=9, pageSize=2, nextPage=token)
    assert second.status_code == wrong_number.status_code == 200
    assert second.json() == wrong_number.json() != first.json()


def test_a_page_past_the_last_is_empty_without_a_token(contacts_hub, box):
    response = contacts_hub.get("contacts", page=1 + -(-CONTACTS // 10) + 3, pageSize=10)
    assert response.status_code == 200 and response.json() == []
    assert response.headers["Elements-Returned-Count"] == "0"
    assert "Elements-Next-Page-Token" not in response.headers


def test_a_local_filter_walks_page_by_page_to_the_same_pages(contacts_hub):
    where = "firstName LIKE '%a%e%' or lastName LIKE '%o%n'"  # finished here, not by Autotask
    expected = chain(contacts_hub, "contacts", pageSize=2, where=where)
    assert len(expected) >= 3, "the sandbox's names give too few matches for this test"
    last = len(expected)
    assert page_ids(contacts_hub, "contacts", last, pageSize=2, where=where) == expected[-1]
    assert page_ids(contacts_hub, "contacts", 2, pageSize=2, where=where) == expected[1]


def test_a_sorted_listing_reaches_page_n_by_offset(contacts_hub, box):
    expected = chain(contacts_hub, "contacts", pageSize=4, orderBy="lastName desc")
    box.clear_requests()
    order = {"pageSize": 4, "orderBy": "lastName desc"}
    assert page_ids(contacts_hub, "contacts", 5, **order) == expected[4]
    assert len(queries(box)) == 2  # page 1's sort (45 rows: one read), then page 5's `id in`
    box.clear_requests()
    assert page_ids(contacts_hub, "contacts", 6, **order) == expected[5]
    assert len(queries(box)) == 1


@pytest.mark.parametrize(
    "page",
    [
        pytest.param("0", id="zero"),
        pytest.param("-2", id="negative"),
        pytest.param("two", id="not a number"),
        pytest.param(str(numbered_pages.MAX_PAGE + 1), id="past the largest page number"),
    ],
)
def test_a_bad_page_number_is_a_400_naming_page(hub, page):
    response = hub.get("contacts", page=page)
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("page must be a whole number")


def test_a_walk_past_the_bound_is_a_400_and_costs_nothing(contacts_hub, box, monkeypatch):
    monkeypatch.setattr(numbered_pages, "MAX_WALK_ROWS", 10)
    box.clear_requests()
    response = contacts_hub.get("contacts", page=7, pageSize=2)
    assert response.status_code == 400
    message = response.json()["message"]
    assert "page 7" in message and "nextPage" in message
    assert not queries(box)
