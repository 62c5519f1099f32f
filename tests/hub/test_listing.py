"""Listing over real HTTP: CEQL pushed down and checked against the sandbox's rows, paging,
ordering, totals."""

from __future__ import annotations

import pytest

from connector.hub import listing


def vendor_rows(sandbox, entity: str) -> list[dict]:
    return [sandbox.record(entity, i) for i in sandbox.ids(entity)]


def udf(record: dict, name: str):
    return next((u["value"] for u in record["userDefinedFields"] if u["name"] == name), None)


def ci(value) -> str:
    return (value or "").lower()


CASES = [
    pytest.param(
        "accounts",
        "Companies",
        "type = 'Customer'",
        lambda r: r["companyType"] == 1,
        id="a picklist label",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "type IN ('Lead', 'Prospect')",
        lambda r: r["companyType"] in (2, 3),
        id="IN over labels",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "name LIKE 'e%'",
        lambda r: ci(r["companyName"]).startswith("e"),
        id="LIKE prefix, any case",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "name LIKE '%co%'",
        lambda r: "co" in ci(r["companyName"]),
        id="LIKE contains",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "name LIKE 'e%co.'",
        lambda r: ci(r["companyName"]).startswith("e") and ci(r["companyName"]).endswith("co."),
        id="LIKE a%b is finished locally",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "`customFields.Support Tier` = 'Gold'",
        lambda r: udf(r, "Support Tier") == "1",
        id="a picklist custom field",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "customFields.CustomerRanking = 'Silver' and `customFields.Support Tier` != 'Gold'",
        lambda r: (
            ci(udf(r, "CustomerRanking")) == "silver" and udf(r, "Support Tier") not in (None, "1")
        ),
        id="two custom fields: one pushed, one local",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "(type = 'Customer' or type = 'Prospect') and active = true",
        lambda r: r["companyType"] in (1, 3) and r["isActive"] is True,
        id="nested OR inside AND",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "NOT type = 'Customer'",
        lambda r: r["companyType"] is not None and r["companyType"] != 1,
        id="NOT",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "parentAccountId IS NULL",
        lambda r: r["parentCompanyID"] is None,
        id="IS NULL",
    ),
    pytest.param(
        "accounts",
        "Companies",
        "parentAccountId IS NOT NULL",
        lambda r: r["parentCompanyID"] is not None,
        id="IS NOT NULL",
    ),
    pytest.param(
        "contacts",
        "Contacts",
        "emails.address LIKE '%.org'",
        lambda r: any(
            ci(r[f]).endswith(".org") for f in ("emailAddress", "emailAddress2", "emailAddress3")
        ),
        id="a list field searched over its slots",
    ),
    pytest.param(
        "contacts",
        "Contacts",
        "`customFields.Preferred Language` = 'French' or lastName LIKE 'w%'",
        lambda r: udf(r, "Preferred Language") == "2" or ci(r["lastName"]).startswith("w"),
        id="OR across a custom field and a standard field",
    ),
    pytest.param(
        "opportunities",
        "Opportunities",
        "amount > 5000 and stage != 'Won'",
        lambda r: r["amount"] > 5000 and r["stage"] not in (None, 5),
        id="a number and a label",
    ),
    pytest.param(
        "incidents",
        "Tickets",
        "priority = 'High' and (status = 'New' or status = 'In Progress')",
        lambda r: r["priority"] == 1 and r["status"] in (1, 8),
        id="ticket labels",
    ),
    pytest.param(
        "incidents",
        "Tickets",
        "createdDate >= '2026-03-01T00:00:00-0500'",
        lambda r: r["createDate"] >= "2026-03-01T05:00:00",
        id="a date with an offset",
    ),
]


@pytest.fixture
def bigger_sandbox(make_sandbox):
    return make_sandbox(40)


@pytest.mark.parametrize(("resource", "entity", "where", "expected"), CASES)
def test_ceql_matches_the_rows_the_sandbox_holds(
    connect_hub, bigger_sandbox, resource, entity, where, expected
):
    hub = connect_hub(bigger_sandbox)
    records, _ = hub.list_all(resource, where=where, pageSize=500)
    want = sorted(r["id"] for r in vendor_rows(bigger_sandbox, entity) if expected(r))
    assert want, "the case must select something to be meaningful"
    assert [r["id"] for r in records] == want


def test_a_pushable_where_reaches_autotask_as_a_translated_filter(hub, sandbox):
    hub.ok("GET", "accounts", params={"where": "type = 'Customer' and name LIKE 'E%'"})
    body = sandbox.requests(path_contains="Companies/query")[-1]["body"]
    flat = repr(body)
    assert "'field': 'companyType'" in flat and "'value': 1" in flat
    assert "'op': 'beginsWith'" in flat


def test_paging_1234_rows_returns_each_once_in_three_upstream_queries(connect_hub, make_sandbox):
    box = make_sandbox(seed_counts={"Contacts": 1234})
    hub = connect_hub(box)
    box.clear_requests()
    records, pages = hub.list_all("contacts", pageSize=500)
    ids = [r["id"] for r in records]
    assert len(ids) == box.count("Contacts") == 1234
    assert ids == sorted(set(ids))
    assert pages == 3
    queries = [
        r for r in box.requests(path_contains="Contacts/query") if "count" not in r["path"].lower()
    ]
    assert len(queries) == 3


def test_fields_selects_paths_and_asks_autotask_for_those_only(hub, sandbox):
    records = hub.ok("GET", "contacts", params={"fields": "id,firstName,emails"})
    assert records and all(set(r) <= {"id", "firstName", "emails"} for r in records)
    body = sandbox.requests(path_contains="Contacts/query")[-1]["body"]
    included = {f.lower() for f in body.get("IncludeFields") or body.get("includeFields")}
    assert {"id", "firstname", "emailaddress"} <= included
    assert "lastname" not in included


def test_order_by_another_field_sorts_and_pages_from_memory(connect_hub, bigger_sandbox):
    hub = connect_hub(bigger_sandbox)
    records, pages = hub.list_all("accounts", orderBy="name desc", pageSize=7)
    names = [r["name"] for r in records]
    assert names == sorted(names, key=str.lower, reverse=True)
    assert len(records) == bigger_sandbox.count("Companies") and pages > 1


def test_order_by_beyond_the_bound_is_a_400(hub, monkeypatch):
    monkeypatch.setattr("connector.ceql.MAX_LOCAL_SORT_ROWS", 3)
    response = hub.get("accounts", orderBy="name")
    assert response.status_code == 400 and "order by id" in response.json()["message"]


def test_total_count_costs_one_count_call(hub, sandbox):
    response = hub.get("accounts", where="type = 'Customer'", includeTotalCount="true", pageSize=2)
    expected = sum(1 for r in vendor_rows(sandbox, "Companies") if r["companyType"] == 1)
    assert int(response.headers["Elements-Total-Count"]) == expected
    assert len(sandbox.requests(path_contains="Companies/query/count")) == 1


def test_child_listing_gives_an_accounts_contacts(hub, sandbox):
    company = next(i for i in sandbox.ids("Companies") if sandbox.count("Contacts", companyID=i))
    records = hub.ok("GET", f"accounts/{company}/contacts")
    assert len(records) == sandbox.count("Contacts", companyID=company)
    assert {r["accountId"] for r in records} == {company}
    assert hub.get("accounts/999999999/contacts").status_code == 404
    assert hub.get(f"accounts/{company}/spaceships").status_code == 404


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        pytest.param({"where": "name = "}, "position", id="a CEQL syntax error gives its position"),
        pytest.param({"where": "colour = 'red'"}, "colour", id="an unknown field is named"),
        pytest.param(
            {"where": "type = 'Spaceship'"}, "Customer", id="an unknown label lists the valid ones"
        ),
        pytest.param({"pageSize": "501"}, "pageSize", id="pageSize above 500"),
        pytest.param({"nextPage": "forged.token"}, "nextPage", id="a forged page token"),
        pytest.param({"orderBy": "name sideways"}, "orderBy", id="a bad orderBy"),
        pytest.param({"page": "0"}, "page", id="a page number below 1"),
    ],
)
def test_bad_list_requests_give_400(hub, params, fragment):
    response = hub.get("accounts", **params)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_a_token_from_another_query_is_refused(hub):
    first = hub.get("accounts", pageSize=2)
    token = first.headers["Elements-Next-Page-Token"]
    response = hub.get("accounts", pageSize=2, where="type = 'Customer'", nextPage=token)
    assert response.status_code == 400 and "another query" in response.json()["message"]


def test_the_last_page_has_no_token(hub, sandbox):
    response = hub.get("accounts", pageSize=500)
    assert "Elements-Next-Page-Token" not in response.headers
    assert int(response.headers["Elements-Returned-Count"]) == sandbox.count("Companies")


def test_default_page_size_is_documented_value():
    assert listing.DEFAULT_PAGE_SIZE == 200 and listing.MAX_PAGE_SIZE == 500


def test_total_count_is_answered_on_every_page_that_asks(hub, sandbox):
    first = hub.get("accounts", pageSize=2, includeTotalCount="true")
    token = first.headers["Elements-Next-Page-Token"]
    second = hub.get("accounts", pageSize=2, includeTotalCount="true", nextPage=token)
    assert second.headers["Elements-Total-Count"] == first.headers["Elements-Total-Count"]
    assert int(first.headers["Elements-Total-Count"]) == sandbox.count("Companies")


def test_an_exactly_full_last_page_carries_no_token(connect_hub, make_sandbox):
    box = make_sandbox(seed_counts={"Contacts": 40})
    hub = connect_hub(box)
    total = box.count("Contacts")
    records, pages = hub.list_all("contacts", pageSize=total // 2)
    assert len(records) == total and pages == 2


def test_total_count_of_a_sorted_listing_costs_no_count_call(connect_hub, bigger_sandbox):
    hub = connect_hub(bigger_sandbox)
    bigger_sandbox.clear_requests()
    first = hub.get("accounts", orderBy="name", pageSize=5, includeTotalCount="true")
    token = first.headers["Elements-Next-Page-Token"]
    second = hub.get(
        "accounts", orderBy="name", pageSize=5, includeTotalCount="true", nextPage=token
    )
    total = bigger_sandbox.count("Companies")
    assert (
        first.headers["Elements-Total-Count"]
        == second.headers["Elements-Total-Count"]
        == str(total)
    )
    assert not bigger_sandbox.requests(path_contains="query/count")


def test_without_page_size_a_page_holds_the_default_and_asks_autotask_for_one_more(
    connect_hub, make_sandbox
):
    box = make_sandbox(seed_counts={"Contacts": 250})
    hub = connect_hub(box)
    box.clear_requests()
    first = hub.get("contacts")
    assert first.status_code == 200
    assert len(first.json()) == int(first.headers["Elements-Returned-Count"]) == 200
    (query,) = box.requests(path_contains="Contacts/query")
    body = {key.lower(): value for key, value in query["body"].items()}
    assert body["maxrecords"] == 201  # one more than the page tells whether another exists
    rest = hub.get("contacts", nextPage=first.headers["Elements-Next-Page-Token"])
    assert len(rest.json()) == box.count("Contacts") - 200
    assert "Elements-Next-Page-Token" not in rest.headers
    ids = [r["id"] for r in first.json() + rest.json()]
    assert ids == sorted(box.ids("Contacts"))


@pytest.mark.parametrize(
    ("resource", "entity", "where"),
    [
        pytest.param(
            "accounts", "Companies", "`customFields.Support Tier` = 'Gold'", id="accounts"
        ),
        pytest.param("contacts", "Contacts", None, id="contacts"),
        pytest.param("opportunities", "Opportunities", None, id="opportunities"),
    ],
)
def test_fields_with_custom_fields_lists_them_as_a_record_read_does(
    hub, sandbox, resource, entity, where
):
    params = {"fields": "id,customFields", "pageSize": 20, **({"where": where} if where else {})}
    sandbox.clear_requests()
    listed = hub.ok("GET", resource, params=params)
    assert listed
    body = sandbox.requests(path_contains=f"{entity}/query")[-1]["body"]
    included = {f.lower() for f in body.get("IncludeFields") or body.get("includeFields")}
    assert "userdefinedfields" in included  # asked for explicitly
    with_values = 0
    for record in listed:
        read = hub.ok("GET", f"{resource}/{record['id']}")
        assert record == {"id": read["id"], "customFields": read.get("customFields", {})}
        with_values += bool(record.get("customFields"))
    assert with_values  # the seed gives custom field values: an empty object is the bug
