"""The embedded Redis keeps its data private: folder 0700, files 0600, no password in argv."""

from __future__ import annotations

import stat
from pathlib import Path

import redis

from connector.storage.embedded_redis import EmbeddedRedis
from connector.tenancy.secrets_box import ensure_key_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_is_0700_and_every_file_in_it_0600(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    stale = folder / "redis.log"
    stale.write_text("from an older run\n")
    stale.chmod(0o644)
    server = EmbeddedRedis(folder)
    server.start()
    try:
        client = redis.Redis.from_url(server.url)
        client.set("record", "cached CRM data")
        client.close()
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert server.password.encode() not in cmdline
    finally:
        server.stop()
    assert _mode(folder) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert "appendonly.aof" in files and "redis.log" in files
    assert {p.name: _mode(p) for p in folder.iterdir()} == dict.fromkeys(files, 0o600)


def test_an_old_key_file_readable_by_others_is_narrowed_to_0600(tmp_path):
    key = ensure_key_file(str(tmp_path))
    path = tmp_path / "secret.key"
    assert _mode(path) == 0o600
    path.chmod(0o644)
    assert ensure_key_file(str(tmp_path)) == key
    assert _mode(path) == 0o600
