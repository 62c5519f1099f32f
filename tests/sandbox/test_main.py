"""`python -m connector.sandbox` / `autotask-connector sandbox` options -> SandboxConfig."""

from __future__ import annotations

from connector.cli import build_parser
from connector.sandbox.__main__ import DATABASE_NAME, config_from_args


def test_the_sandbox_subcommand_takes_the_documented_options(tmp_path):
    args = build_parser().parse_args(
        [
            "sandbox",
            "--port",
            "9100",
            "--records",
            "7",
            "--data-dir",
            str(tmp_path),
            "--reseed",
            "--api-user",
            "second@x:two",
            "--integration-code",
            "OTHER",
            "--set",
            "threshold=50",
        ]
    )
    config = config_from_args(args)
    assert args.port == 9100 and config.records == 7 and config.reseed
    assert config.database == str(tmp_path / DATABASE_NAME)
    assert config.settings["threshold"] == 50
    assert [u["username"] for u in config.settings["api_users"]] == [
        "api-user@sandbox.local",
        "second@x",
    ]
    assert "OTHER" in config.settings["integration_codes"]


def test_the_data_folder_defaults_under_connector_data_dir(monkeypatch):
    monkeypatch.setenv("CONNECTOR_DATA_DIR", "/srv/connector")
    config = config_from_args(build_parser().parse_args(["sandbox"]))
    assert config.database == f"/srv/connector/sandbox/{DATABASE_NAME}"
    assert config.records == 500


def test_serve_takes_sandbox_port_and_no_sandbox():
    args = build_parser().parse_args(
        ["serve", "--port", "9000", "--sandbox-port", "9500", "--no-sandbox"]
    )
    assert (args.sandbox_port, args.no_sandbox) == (9500, True)
    assert build_parser().parse_args(["serve"]).sandbox_port is None
