"""Id-cursor paging with a residual (a predicate evaluated on the rows that come back): every
matching row once, in id order, and an end, over many matches and over a few in many rows."""

from __future__ import annotations

import pytest

# Underscores only: no fixed piece to push, so Autotask is asked for every row and the whole
# pattern is checked locally (connector.ceql.pushdown's LIKE rules).
NO_ONE = "_" * 45  # longer than any seeded last name


@pytest.fixture
def box(make_sandbox):
    return make_sandbox(seed_counts={"Contacts": 1234})


def pages_of(hub, **params):
    """Every page (records, token) until the last; a bound catches a listing that never ends."""
    pages, token = [], None
    for _ in range(2000):
        query = dict(params, **({"nextPage": token} if token else {}))
        response = hub.get("contacts", **query)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        token = response.headers.get("Elements-Next-Page-Token")
        if not token:
            return pages
    raise AssertionError("the listing never ended")


@pytest.mark.parametrize("page_size", [500, 333])
def test_a_residual_matching_more_than_500_rows_pages_each_once(connect_hub, box, page_size):
    hub = connect_hub(box)
    first_names = {i: box.record("Contacts", i)["firstName"] or "" for i in box.ids("Contacts")}
    # `_%a%`: a second-or-later 'a'; 'a' is pushed as a wider "contains", the rest is local
    want = sorted(i for i, name in first_names.items() if "a" in name[1:].lower())
    assert len(want) > 500
    pages = pages_of(hub, where="firstName LIKE '_%a%'", pageSize=page_size)
    ids = [r["id"] for page in pages for r in page]
    assert ids == want  # none lost, none repeated, in id order
    assert all(len(page) == page_size for page in pages[:-1])
    assert len(pages) == -(-len(want) // page_size)


@pytest.mark.parametrize("page_size", [1, 2])
def test_three_sparse_matches_in_1234_rows_page_exactly(connect_hub, box, page_size):
    hub = connect_hub(box)
    every = box.ids("Contacts")
    chosen = [every[7], every[600], every[-3]]
    where = f"id IN ({', '.join(map(str, chosen))}) or lastName LIKE '{NO_ONE}'"
    box.clear_requests()
    pages = pages_of(hub, where=where, pageSize=page_size)
    ids = [r["id"] for page in pages for r in page]
    assert ids == chosen
    assert len(pages) <= len(chosen) // page_size + 1  # at most one empty last page
    scans = box.requests(path_contains="Contacts/query")
    assert len(scans) <= 3 * len(pages)  # 1234 rows are 3 upstream pages at most per hub page
