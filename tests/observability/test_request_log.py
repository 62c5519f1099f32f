"""Log lines that explain: the instance id and, for a 4xx or 5xx, the error code and the message
the client got; at DEBUG the Autotask calls a request made; never a secret or a token."""

from __future__ import annotations

import logging


def _lines(caplog, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name]


def test_a_400_logs_its_code_and_message_with_the_instance_id(hub, caplog):
    with caplog.at_level(logging.INFO, logger="connector.requests"):
        refused = hub.get("contacts", where="lastName = ")
    assert refused.status_code == 400
    message = refused.json()["message"]
    line = next(r for r in _lines(caplog, "connector.requests") if r.status == 400)
    assert line.instanceId == hub.instance["id"]
    assert (line.errorCode, line.errorMessage) == ("query_syntax", message)
    text = line.getMessage()
    assert f"instance={hub.instance['id']}" in text and "error=query_syntax" in text
    assert message.splitlines()[0][:30] in text


def test_debug_adds_the_upstream_calls_without_bodies_or_secrets(hub, sandbox, caplog):
    with caplog.at_level(logging.DEBUG, logger="connector"):
        answer = hub.get("contacts", pageSize=2, where="lastName LIKE 'S%'")
        created = hub.call(
            "POST",
            "contacts",
            json={"firstName": "Grace", "lastName": "Hopper", "accountId": 0},
        )
    assert answer.status_code == 200 and created.status_code == 200, created.text
    request_id = answer.headers["Elements-Request-Id"]
    upstream = [r.getMessage() for r in _lines(caplog, "connector.autotask")]
    mine = [m for m in upstream if request_id in m]
    assert any(m.startswith("autotask POST Contacts/query -> 200 in ") for m in mine), upstream
    assert any("autotask POST Companies/0/Contacts -> 200" in m for m in upstream), upstream
    secrets = [part.split()[1] for part in hub.headers["Authorization"].split(",")]
    creds = sandbox.credentials
    for secret in [*secrets, creds.secret, creds.integration_code]:
        assert secret not in caplog.text
    assert "Hopper" not in caplog.text and "'S%'" not in caplog.text  # no body, no query


# %0A starts a fake request line; %0D and U+2028 are other line breaks a log viewer may honour
FORGED = (
    "/elements/api-v2/x%0A2026-01-01%2000:00:00,000%20INFO%20connector.requests%20GET%20/admin"
    "%0D%E2%80%A8"
)


def test_a_newline_in_the_path_cannot_forge_a_line_in_text_or_json_logs(live_server, caplog):
    import json

    import requests

    from connector.logging_setup import JsonFormatter, TextFormatter

    with caplog.at_level(logging.INFO, logger="connector.requests"):
        answer = requests.get(live_server.url + FORGED, timeout=30)
    assert answer.status_code == 404
    line = next(r for r in _lines(caplog, "connector.requests") if r.status == 404)
    assert "\\x0a" in line.path and "\n" not in line.path  # werkzeug decodes %0A to "\n"
    text = TextFormatter().format(line)
    assert len(text.splitlines()) == 1 and "\r" not in text and "\u2028" not in text
    assert "x\\x0a2026-01-01 00:00:00,000 INFO" in text and "\\x0d\\u2028" in text
    formatted = JsonFormatter().format(line)
    assert len(formatted.splitlines()) == 1
    entry = json.loads(formatted)
    assert entry["path"].startswith("/elements/api-v2/x\\x0a2026") and "\n" not in entry["path"]
    assert "\n" not in entry["message"]
