from __future__ import annotations

import pytest

from connector.autotask.errors import PagingLoopError
from connector.autotask.models import Page
from connector.autotask.paging import (
    IdCursorPaginator,
    LoopGuard,
    NextPageUrlPaginator,
    PageRequest,
    read_page,
)
from connector.errors import ProviderFatalError

ORIGIN = "https://webservices2.autotask.net/ATServicesRest/"
NEXT = ORIGIN + "V1.0/Companies/query/next?paging=%7b%22pageSize%22%3a500%7d&search=%7b%7d"


def rows(n: int, start: int = 1) -> list[dict]:
    return [{"id": start + i} for i in range(n)]


def answer(n: int, next_url: object = None, *, details: bool = True) -> dict:
    body: dict = {"items": rows(n)}
    if details:
        body["pageDetails"] = {
            "count": n,
            "requestCount": 500,
            "prevPageUrl": None,
            "nextPageUrl": next_url,
        }
    return body


@pytest.mark.parametrize(
    ("raw", "max_records", "has_more", "next_url"),
    [
        pytest.param(answer(10), 500, False, None, id="a short page ends the set"),
        pytest.param(answer(500, NEXT), 500, True, NEXT, id="a full page with a next URL"),
        pytest.param(
            answer(500, None),
            500,
            False,
            None,
            id="a full default page with a null next URL is the last",
        ),
        pytest.param(
            answer(50, None),
            50,
            True,
            None,
            id="a full small page with a null next URL may have more",
        ),
        pytest.param(
            answer(500, details=False),
            500,
            True,
            None,
            id="a full page without pageDetails may have more",
        ),
        pytest.param(
            answer(500, "https://evil.example/V1.0/x"),
            500,
            True,
            None,
            id="a next URL on another host is not followed",
        ),
        pytest.param(answer(0, None), 500, False, None, id="an empty page"),
    ],
)
def test_read_page(raw, max_records, has_more, next_url):
    page = read_page(raw, max_records, origin=ORIGIN)
    assert page.has_more is has_more
    assert page.next_page_url == next_url


def test_read_page_accepts_keys_in_any_case():
    page = read_page(
        {"Items": rows(500), "PageDetails": {"NextPageUrl": NEXT}},
        500,
        origin=ORIGIN.upper().replace("HTTPS", "https"),
    )
    assert page.next_page_url == NEXT


@pytest.mark.parametrize(
    "raw",
    [pytest.param([], id="a list"), pytest.param({"pageDetails": {}}, id="no items")],
)
def test_read_page_refuses_unreadable_answers(raw):
    with pytest.raises(ProviderFatalError):
        read_page(raw, 500, origin=ORIGIN)


def test_id_cursor_appends_gt_last_id_to_the_original_filter():
    body = {"filter": [{"op": "eq", "field": "isActive", "value": True}], "MaxRecords": 500}
    paginator = IdCursorPaginator(body)
    nxt = paginator.next_request(PageRequest(None, body), Page(rows(500), has_more=True))
    assert nxt.url is None
    assert nxt.body["filter"] == [*body["filter"], {"op": "gt", "field": "id", "value": 500}]
    assert body["filter"] == [{"op": "eq", "field": "isActive", "value": True}]


def test_next_page_url_is_posted_with_the_body_that_produced_it():
    body = {"filter": [{"op": "gte", "field": "id", "value": 0}]}
    paginator = NextPageUrlPaginator(IdCursorPaginator(body))
    request = PageRequest(None, body)
    nxt = paginator.next_request(request, Page(rows(500), True, NEXT))
    assert nxt == PageRequest(NEXT, body)
    assert paginator.next_request(request, Page(rows(3), False)) is None
    fallback = paginator.next_request(request, Page(rows(500), True, None))
    assert fallback.body["filter"][-1] == {"op": "gt", "field": "id", "value": 500}


def test_loop_guard_refuses_a_repeated_request():
    guard = LoopGuard()
    guard.check(PageRequest(NEXT, {"filter": []}))
    with pytest.raises(PagingLoopError):
        guard.check(PageRequest(NEXT, {"filter": []}))


def test_loop_guard_drops_rows_already_read_and_stops_on_a_page_of_them():
    guard = LoopGuard()
    assert [r["id"] for r in guard.admit(rows(3, 1))] == [1, 2, 3]
    assert [r["id"] for r in guard.admit(rows(3, 2))] == [4]
    with pytest.raises(PagingLoopError):
        guard.admit(rows(4, 1))
