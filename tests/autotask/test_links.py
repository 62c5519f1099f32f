from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from connector.autotask.links import execute_command_url, record_command, web_base


@pytest.mark.parametrize(
    ("command", "params", "query"),
    [
        pytest.param(
            "OpenAccount",
            {"AccountID": 7},
            {"Code": ["OpenAccount"], "AccountID": ["7"]},
            id="a company",
        ),
        pytest.param(
            "openticketdetail",
            {"ticketNumber": "T20250915.0001"},
            {"Code": ["OpenTicketDetail"], "TicketNumber": ["T20250915.0001"]},
            id="names in any case come out as Autotask spells them",
        ),
        pytest.param(
            "OpenContact",
            {"Email": "a+b@example.com"},
            {"Code": ["OpenContact"], "Email": ["a+b@example.com"]},
            id="values are encoded",
        ),
        pytest.param("NewAccount", {}, {"Code": ["NewAccount"]}, id="a command without params"),
    ],
)
def test_execute_command_url(command, params, query):
    url = execute_command_url("https://ww2.autotask.net/", command, **params)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://ww2.autotask.net/Autotask/AutotaskExtend/ExecuteCommand.aspx"
    )
    assert parse_qs(parts.query) == query


@pytest.mark.parametrize(
    ("command", "params"),
    [
        pytest.param("OpenEverything", {}, id="an unknown command"),
        pytest.param("OpenAccount", {"TicketID": 1}, id="a parameter the command does not take"),
    ],
)
def test_bad_links_are_refused(command, params):
    with pytest.raises(ValueError):
        execute_command_url("https://ww2.autotask.net/", command, **params)


@pytest.mark.parametrize(
    ("web_url", "api_url", "base"),
    [
        pytest.param("https://ww2.autotask.net/", "", "https://ww2.autotask.net/", id="webUrl"),
        pytest.param(
            "https://ww5.autotask.net",
            "",
            "https://ww5.autotask.net/",
            id="webUrl without its slash",
        ),
        pytest.param(
            "",
            "https://webservices14.autotask.net/ATServicesRest/",
            "https://ww14.autotask.net/",
            id="no webUrl: webservicesN becomes wwN",
        ),
    ],
)
def test_web_base(web_url, api_url, base):
    assert web_base(web_url, api_url) == base


def test_record_command():
    assert record_command("contacts") == ("OpenContact", "ContactID")
    assert record_command("Tickets") == ("OpenTicketDetail", "TicketID")
    assert record_command("Nothing") is None
