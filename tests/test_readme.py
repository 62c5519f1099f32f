"""The README names every environment variable the service reads."""

from __future__ import annotations

from pathlib import Path

from connector.config import _ENV

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_environment_variable_is_documented():
    missing = [var for var, _ in _ENV.values() if f"`{var}`" not in README]
    assert not missing, f"document in the README's configuration table: {missing}"
