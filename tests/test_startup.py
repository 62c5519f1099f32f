"""`serve` refuses to start honestly: for a port in use, a data folder held by another
`serve`, a bad map and no Redis at REDIS_URL it prints one line saying what and how to fix
it, exits with status 2, shows no traceback, and leaves nothing made or running."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from connector.commands.preflight import lock_data_dir
from connector.storage.embedded_redis import free_port

ROOT = Path(__file__).resolve().parent.parent


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environ.update(CONNECTOR_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", "serve", "--workers", "1", *args],
        # the other checks run with --no-sandbox: the port after a free one may be taken
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""  # nothing printed before the checks: no banner, no secret
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _nothing_made(data: Path) -> None:
    made = sorted(p.name for p in data.rglob("*")) if data.exists() else []
    assert not [m for m in made if m not in ("serve.lock",)], made
    for entry in Path("/proc").iterdir():  # no redis-server or sandbox on this folder
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            assert str(data).encode() not in cmdline


def test_a_port_in_use_is_named_with_the_option_to_change_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _refused(_serve(tmp_path, "--port", str(port)), str(port), "in use", "--port")
    assert "sandbox" not in line
    _nothing_made(tmp_path / "data")


def test_a_data_folder_held_by_another_serve_is_refused(tmp_path):
    held = lock_data_dir(str(tmp_path / "data"))  # what a running serve holds
    try:
        result = _serve(tmp_path, "--port", str(free_port()), "--no-sandbox")
        _refused(result, "another autotask-connector serve", "CONNECTOR_DATA_DIR")
    finally:
        held.close()
    _nothing_made(tmp_path / "data")


def test_a_bad_map_is_named_in_one_line(tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "broken.yaml").write_text("entity: [\n")
    maps_dir = str(maps)
    result = _serve(
        tmp_path, "--port", str(free_port()), "--no-sandbox", CONNECTOR_TRANSFORMATIONS_DIR=maps_dir
    )
    _refused(result, "broken.yaml", "CONNECTOR_TRANSFORMATIONS_DIR")
    _nothing_made(tmp_path / "data")


def test_no_redis_at_redis_url_is_refused_without_showing_its_password(tmp_path):
    url = f"redis://:pw@127.0.0.1:{free_port()}/0"
    result = _serve(tmp_path, "--port", str(free_port()), "--no-sandbox", REDIS_URL=url)
    line = _refused(result, "no Redis answers", "REDIS_URL")
    assert "pw" not in line
    _nothing_made(tmp_path / "data")
