"""The poller entry's `url` (connector.events.poller_url, poller_config): honored when it says
what a poll reads (the resource's path, `where=<date field> >= '${date:...}'`), its field then
the change date polled; refused with a 400 naming `event.poller.configuration` and the entry's
url when it says more or something else."""

from __future__ import annotations

import json

import pytest

from connector.events import poller_config
from connector.events.poller_url import PollerUrlError, polled_field
from connector.events.polling import schedules as polling
from connector.mapping import load_maps
from tests.fixtures.hub import BASE

DOCS_URL = "/hubs/crm/accounts?where=lastActivityDate>='${date:yyyy-MM-dd'T'HH:mm:ssZ}'"


@pytest.fixture(scope="module")
def maps():
    from connector.config import Settings

    return load_maps(Settings().transformations_dir)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        pytest.param(DOCS_URL, "lastActivityDate", id="the url Cloud Elements documents"),
        pytest.param(
            "/hubs/crm/accounts?where=createdDate > '${gmtDate:yyyy-MM-dd}'",
            "createdDate",
            id="gmtDate and a strict comparison",
        ),
        pytest.param(
            "/hubs/crm/accounts/?where=lastActivityDate%20%3E%3D%20'${date:yyyy}'",
            "lastActivityDate",
            id="percent-encoded, with a trailing slash",
        ),
    ],
)
def test_a_url_that_says_what_a_poll_reads_names_its_field(url, field):
    assert polled_field("accounts", url) == field


@pytest.mark.parametrize(
    ("url", "says"),
    [
        pytest.param(
            DOCS_URL.replace("accounts", "contacts", 1), "/hubs/crm/accounts", id="another resource"
        ),
        pytest.param("https://example.org" + DOCS_URL, "/hubs/crm/accounts", id="another host"),
        pytest.param(DOCS_URL + "&pageSize=10", "one parameter", id="another parameter"),
        pytest.param(
            DOCS_URL + " and name = 'Acme'", "would not be applied", id="another condition"
        ),
        pytest.param(
            "/hubs/crm/accounts?where=lastActivityDate <= '${date:yyyy}'",
            "would not be applied",
            id="dates before the last poll",
        ),
        pytest.param(
            "/hubs/crm/accounts?where=a >= '${date:y}' or b >= '${date:y}'",
            "one ${date",
            id="two placeholders",
        ),
        pytest.param("/hubs/crm/accounts?where=((( '${date:y}'", "not CEQL", id="not CEQL"),
    ],
)
def test_a_url_that_says_more_than_a_poll_does_is_refused(url, says):
    with pytest.raises(PollerUrlError) as caught:
        polled_field("accounts", url)
    assert says in str(caught.value)


def test_the_url_names_the_change_date_polled_and_the_default_url_is_honored(maps):
    given = {"url": "/hubs/crm/opportunities?where=createdDate >= '${date:yyyy-MM-dd}'"}
    spec = poller_config.poller_spec("opportunities", maps["opportunities"], given)
    assert (spec.updated_field, spec.changed_vendor_field) == ("createdDate", "createDate")
    for name in ("accounts", "contacts", "opportunities"):
        default = poller_config.poller_spec(name, maps[name], {})
        assert polled_field(name, default.url) == default.updated_field


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        pytest.param(
            {"url": "/hubs/crm/opportunities?where=nope >= '${date:y}'"},
            "opportunities.url: opportunities has no field 'nope'",
            id="a field the map does not have",
        ),
        pytest.param(
            {
                "url": "/hubs/crm/opportunities?where=createdDate >= '${date:y}'",
                "datesConfiguration": {"updatedDateField": "lastActivityDate"},
            },
            "opportunities.url: polls 'createdDate' but datesConfiguration.updatedDateField",
            id="a url and an updatedDateField that disagree",
        ),
    ],
)
def test_a_url_at_odds_with_the_map_is_a_problem(maps, entry, says):
    text = json.dumps({"opportunities": entry})
    assert says in poller_config.problem(text, ("opportunities",), maps)


def test_the_url_is_checked_through_the_api_and_honored_by_the_poller(
    client, tenant, sandbox, polling_body, events_instance
):
    def body(poller):
        return polling_body(
            **{
                "event.objects": "opportunities",
                "event.poller.configuration": json.dumps({"opportunities": poller}),
            }
        )

    refused = client.post(
        f"{BASE}/instances",
        json=body({"url": DOCS_URL.replace("accounts", "opportunities") + " and amount > 5"}),
        headers=tenant.headers(),
    )
    assert refused.status_code == 400
    message = refused.get_json()["message"]
    assert "event.poller.configuration" in message and "opportunities.url" in message

    url = "/hubs/crm/opportunities?where=createdDate >= '${gmtDate:yyyy-MM-dd}'"
    inst = events_instance(
        **{
            "event.objects": "opportunities",
            "event.poller.configuration": json.dumps({"opportunities": {"url": url}}),
        }
    )
    existing = sandbox.ids("Opportunities")[0]
    answer = sandbox.call("PATCH", "Opportunities", json={"id": existing, "title": "Renamed"})
    assert answer.status_code == 200, answer.text
    # polled on its creation date, as the url says: an update of an old deal is no change
    assert polling.run_poll(inst.env, inst.id, "opportunities") == 0
    template = sandbox.record("Opportunities", existing)
    created = sandbox.call(
        "POST",
        "Opportunities",
        json={
            key: template[key]
            for key in ("title", "companyID", "ownerResourceID", "status", "stage")
            + ("probability", "amount", "cost", "projectedCloseDate", "startDate")
        },
    )
    assert created.status_code == 200, created.text
    assert polling.run_poll(inst.env, inst.id, "opportunities") == 1


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param({"datesConfiguration": {"updatedDateField": "name"}}, id="updatedDateField"),
        pytest.param(
            {"url": "/hubs/crm/opportunities?where=name >= '${date:yyyy-MM-dd}'"},
            id="the url's field",
        ),
        pytest.param({"datesConfiguration": {"createdDateField": "amount"}}, id="createdDateField"),
    ],
)
def test_a_change_date_that_is_no_date_is_refused_and_never_polled(
    client, tenant, polling_body, maps, entry
):
    """A text field as the change date read `title >= '<date>'` and crashed the poll job on
    every tick (the row's title is no datetime): refused when stored, and a stored one polls
    the map's own change date."""
    text = json.dumps({"opportunities": entry})
    assert "is not a date field" in poller_config.problem(text, ("opportunities",), maps)
    body = polling_body(**{"event.objects": "opportunities", "event.poller.configuration": text})
    refused = client.post(f"{BASE}/instances", json=body, headers=tenant.headers())
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert "event.poller.configuration" in refused.get_json()["message"]
    spec = poller_config.poller_spec("opportunities", maps["opportunities"], entry)
    assert (spec.changed_vendor_field, spec.created_vendor_field) == ("lastActivity", "createDate")
