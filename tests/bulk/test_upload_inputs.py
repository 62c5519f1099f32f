"""What an upload refuses up front, with a 400 that says why, before any job exists."""

from __future__ import annotations

import json

import pytest
import requests

from connector.app import create_app
from tests.fixtures.app import LiveServer
from tests.fixtures.hub import BASE


@pytest.mark.parametrize(
    ("content", "filename", "meta", "says"),
    [
        pytest.param(b"", "rows.csv", None, "empty", id="an empty file"),
        pytest.param(b"  \n ", "rows.csv", None, "empty", id="a blank file"),
        pytest.param(b"firstName\n\xff\xfe\n", "rows.csv", None, "UTF-8", id="not UTF-8"),
        pytest.param(
            b"firstName,colour\nA,red\n", "rows.csv", None, "colour", id="an unknown CSV column"
        ),
        pytest.param(b"firstName,,x\nA,b,c\n", "rows.csv", None, "name", id="a nameless column"),
        pytest.param(b"firstName\n", "rows.csv", None, "no rows", id="a header alone"),
        pytest.param(b'{"a": 1}', "rows.json", None, "", id="a JSON object, not an array"),
        pytest.param(b"[1, 2", "rows.json", None, "not valid JSON", id="broken JSON"),
        pytest.param(b"[]", "rows.json", None, "no rows", id="an empty array"),
        pytest.param(
            b'[{"lastName": "x"}]',
            "rows.json",
            {"identifierFieldName": "colour"},
            "colour",
            id="an unknown identifier",
        ),
        pytest.param(
            b'[{"lastName": "x"}]',
            "rows.json",
            {"identifierFieldName": "phones.type"},
            "cannot",
            id="an identifier Autotask cannot filter on",
        ),
        pytest.param(
            b'[{"lastName": "x"}]', "rows.json", {"upsert": True}, "upsert", id="unknown metaData"
        ),
        pytest.param(b'[{"lastName": "x"}]', "rows.json", [1], "object", id="metaData not object"),
    ],
)
def test_a_bad_file_is_a_400_naming_the_problem(bulk, content, filename, meta, says):
    before = len(bulk.hub.ok("GET", "bulk/jobs"))
    response = bulk.upload("contacts", content, filename, meta)
    assert response.status_code == 400, response.text
    assert says in response.json()["message"]
    assert len(bulk.hub.ok("GET", "bulk/jobs")) == before


def test_no_file_part_unknown_resource_and_bad_metadata_json(bulk):
    no_file = bulk.hub.call("POST", "bulk/contacts", data={"metaData": "{}"})
    assert no_file.status_code == 400 and "file" in no_file.json()["message"]
    unknown = bulk.upload("no_such_thing", b'[{"a": 1}]', "rows.json")
    assert unknown.status_code == 400 and "No resource" in unknown.json()["message"]
    files = {"file": ("rows.json", b'[{"lastName": "x"}]')}
    broken = bulk.hub.call("POST", "bulk/contacts", files=files, data={"metaData": "{nope"})
    assert broken.status_code == 400 and "metaData" in broken.json()["message"]
    refused = bulk.upload("users", b'[{"firstName": "x"}]', "rows.json")
    assert refused.status_code == 405  # Autotask resources are read-only through the hub


def test_a_file_over_the_upload_limit_is_refused(bulk):
    small = create_app(bulk.settings.with_overrides(bulk_max_upload_bytes=1000))
    server = LiveServer(small).start()
    try:
        url = f"{server.url}{BASE}/hubs/crm/bulk/contacts"
        big = json.dumps([{"firstName": "x" * 50, "lastName": "y"}] * 40).encode()
        response = requests.post(
            url, files={"file": ("rows.json", big)}, headers=bulk.hub.headers, timeout=30
        )
        assert response.status_code in (400, 413), response.text
        assert "BULK_MAX_UPLOAD_BYTES" in response.json()["message"] or response.status_code == 413
        fine = requests.post(
            url,
            files={"file": ("rows.json", b'[{"firstName": "ok"}]')},
            headers=bulk.hub.headers,
            timeout=30,
        )
        assert fine.status_code == 200, fine.text
        assert bulk.wait(fine.json()["id"])["recordsFailedCount"] == 1  # no lastName: its error
    finally:
        server.stop()
        small.extensions["connector.deps"].local.close()


def test_an_upload_keeps_its_own_limit_above_max_content_length(bulk):
    small = create_app(bulk.settings.with_overrides(max_content_length=1000))
    server = LiveServer(small).start()
    try:
        rows = json.dumps([{"firstName": "x" * 50}] * 100).encode()  # 6 KB, no lastName
        assert len(rows) > 1000
        url = f"{server.url}{BASE}/hubs/crm"
        accepted = requests.post(
            url + "/bulk/contacts",
            files={"file": ("rows.json", rows)},
            headers=bulk.hub.headers,
            timeout=30,
        )
        assert accepted.status_code == 200, accepted.text
        assert bulk.wait(accepted.json()["id"])["recordsFailedCount"] == 100
        refused = requests.post(
            url + "/contacts",
            data=rows,
            headers={**bulk.hub.headers, "Content-Type": "application/json"},
            timeout=30,
        )
        assert refused.status_code == 413  # any other route keeps MAX_CONTENT_LENGTH
    finally:
        server.stop()
        small.extensions["connector.deps"].local.close()
