"""`autotask-connector instances ...` against the test Redis: what the API shows, a rotated
token refused at once, a check that proves the credentials, a delete."""

from __future__ import annotations

import json

import pytest
import requests

from connector import cli


@pytest.fixture
def operator_env(settings, monkeypatch):
    """The operator's shell: the same Redis, key prefix, secret key and data folder."""
    for var, value in {
        "REDIS_URL": settings.redis_url,
        "CONNECTOR_KEY_PREFIX": settings.key_prefix,
        "CONNECTOR_SECRET_KEY": settings.secret_key,
        "CONNECTOR_DATA_DIR": settings.data_dir,
    }.items():
        monkeypatch.setenv(var, value)


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(["instances", *argv])
    return code, capsys.readouterr().out


def _platform(hub) -> dict[str, str]:
    return {"Authorization": hub.headers["Authorization"].rsplit(", Element", 1)[0]}


def test_list_shows_what_the_api_shows_as_json_and_as_a_table(
    operator_env, connect_hub, sandbox, capsys
):
    hub = connect_hub(sandbox, name="Listed one", tags=["ops"])
    api = requests.get(f"{hub.url}/instances", headers=_platform(hub), timeout=10).json()
    code, out = _run(capsys, "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [v for v in listed if v["id"] in {i["id"] for i in api}] == api
    code, out = _run(capsys, "list")
    header, rule, *rows = out.strip().splitlines()
    assert header.split() == ["id", "org", "name", "tags", "zone", "state", "cache", "created"]
    row = next(r for r in rows if r.split()[0] == str(hub.instance["id"]))
    assert "Listed one" in row and "ops" in row and "enabled" in row
    org = row.split()[1]
    code, out = _run(capsys, "list", "--organization", org, "--json")
    assert json.loads(out) == api


def test_rotate_token_makes_the_old_token_401(operator_env, hub, capsys):
    assert hub.get("ping").status_code == 200
    code, out = _run(capsys, "rotate-token", str(hub.instance["id"]), "--json")
    assert code == 0
    token = json.loads(out)["token"]
    assert hub.get("ping").status_code == 401
    fresh = {"Authorization": f"{_platform(hub)['Authorization']}, Element {token}"}
    assert requests.get(f"{hub.url}/hubs/crm/ping", headers=fresh, timeout=10).status_code == 200


def test_show_masks_secrets_and_check_proves_the_credentials(operator_env, hub, sandbox, capsys):
    instance_id = str(hub.instance["id"])
    code, out = _run(capsys, "show", instance_id)
    assert code == 0 and "crm.autotask.password" in out
    assert sandbox.credentials.secret not in out
    sandbox.clear_requests()
    code, out = _run(capsys, "check", instance_id, "--json")
    report = json.loads(out)
    assert code == 0 and report["credentials"] == "ok"
    assert report["zoneUrl"].startswith(sandbox.url)
    assert 0 <= report["thresholdUsed"] <= 1 and report["cache"] == "off"
    paths = [r["path"].lower() for r in sandbox.requests()]
    assert paths == ["/atservicesrest/v1.0/thresholdinformation"]  # one probe, nothing else


def test_delete_refuses_the_token_at_once_and_a_missing_id_is_one_line(operator_env, hub, capsys):
    code, out = _run(capsys, "delete", str(hub.instance["id"]), "--yes")
    assert code == 0 and "Deleted" in out
    assert hub.get("ping").status_code == 401
    code = cli.main(["instances", "show", str(hub.instance["id"])])
    captured = capsys.readouterr()
    last = captured.err.strip().splitlines()[-1]  # (the live server logs to stderr too)
    assert code == 2 and last.startswith("autotask-connector: no instance")
