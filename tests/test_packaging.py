"""pyproject.toml lists every package (it must, to ship transformations/ inside the wheel)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "connector").rglob("__init__.py")
    }
    listed = set(config["packages"])
    assert on_disk <= listed, f"add to pyproject.toml's packages: {sorted(on_disk - listed)}"
    assert config["package-dir"]["connector.transformations"] == "transformations"
    assert "connector.transformations" in listed


def test_the_cloud_elements_model_ships_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "cloud-elements/*.yaml" in config["package-data"]["connector.transformations"]
    assert list((ROOT / "transformations" / "cloud-elements").glob("*.yaml"))
