"""`autotask-connector bulk ...` against a running connector, over real HTTP."""

from __future__ import annotations

import json

import pytest

from connector.cli import main
from tests.fixtures.hub import BASE


@pytest.fixture
def cli_env(bulk, monkeypatch):
    user, org = bulk.secrets
    monkeypatch.setenv("CONNECTOR_URL", bulk.server.url + BASE)
    monkeypatch.setenv("USER_SECRET", user)
    monkeypatch.setenv("ORG_SECRET", org)
    monkeypatch.setenv("ELEMENT_TOKEN", bulk.instance["token"])
    return bulk


def test_download_writes_the_result_and_reports_progress(cli_env, tmp_path, capsys):
    out = tmp_path / "contacts.csv"
    q = "select id, lastName from contacts"
    assert main(["bulk", "download", q, "-o", str(out), "--csv"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "id,lastName"
    assert [int(line.split(",")[0]) for line in lines[1:]] == cli_env.sandbox.ids("Contacts")
    err = capsys.readouterr().err
    assert "rows" in err  # the progress bar
    assert json.loads(err.strip().splitlines()[-1])["status"] == "COMPLETED"


def test_upload_and_status(cli_env, tmp_path, capsys):
    company = cli_env.sandbox_contacts()[0]["companyID"]
    rows = tmp_path / "rows.ndjson"
    rows.write_text(
        json.dumps({"firstName": "Cli", "lastName": "One", "accountId": company}) + "\n{bad\n"
    )
    result = tmp_path / "result.ndjson"
    assert main(["bulk", "upload", "contacts", str(rows), "-o", str(result)]) == 0
    got = [json.loads(line) for line in result.read_text().splitlines()]
    assert [r["status"] for r in got] == ["created", "error"]
    job_id = cli_env.hub.ok("GET", "bulk/jobs")[0]["id"]
    capsys.readouterr()
    assert main(["bulk", "status", str(job_id), "--wait"]) == 0
    assert json.loads(capsys.readouterr().out)["createdCount"] == 1


def test_missing_secrets_and_errors_exit_with_a_message(cli_env, monkeypatch):
    with pytest.raises(SystemExit, match="bulk: 400"):
        main(["bulk", "download", "select * from nowhere_at_all"])
    monkeypatch.delenv("ELEMENT_TOKEN")
    with pytest.raises(SystemExit, match="ELEMENT_TOKEN"):
        main(["bulk", "status", "1"])
