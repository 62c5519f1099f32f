"""pyproject.toml lists every package (it must, to ship transformations/ inside the wheel), and
a wheel built from the checkout serves the maps and openapi.yaml without the checkout around."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
_SOURCES = ("pyproject.toml", "README.md", "openapi.yaml", "connector", "transformations")


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


def test_the_packaged_openapi_document_is_the_root_file():
    packaged = ROOT / "connector" / "openapi.yaml"
    assert packaged.is_symlink() and packaged.resolve() == (ROOT / "openapi.yaml").resolve()


def _build_wheel(tmp_path: Path) -> Path:
    """A wheel built from a copy of the sources (so the build leaves nothing in the checkout)."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in _SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, symlinks=True, ignore=ignore)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("*.whl")
    return wheel


def test_an_installed_wheel_serves_its_openapi_document_and_maps(tmp_path, redis_url, key_prefix):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "connector/openapi.yaml" in names
    assert "connector/transformations/contacts.yaml" in names
    assert "connector/transformations/cloud-elements/accounts.yaml" in names

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
        + ["--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = textwrap.dedent(
        """
        import connector, yaml
        from connector.app import create_app
        app = create_app()
        client = app.test_client()
        served = client.get("/elements/api-v2/openapi.yaml")
        print(connector.__file__)
        print(served.status_code, yaml.safe_load(served.data)["openapi"])
        print(client.get("/elements/api-v2/openapi.json").status_code)
        print(app.config["SETTINGS"].transformations_dir)
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "REDIS_URL": redis_url,
        "CONNECTOR_KEY_PREFIX": key_prefix,
        "CONNECTOR_SECRET_KEY": Fernet.generate_key().decode(),
        "CONNECTOR_DATA_DIR": str(tmp_path / "data"),
    }
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # not the checkout: only the installed copy is importable
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    module, status, json_status, maps = ran.stdout.split("\n")[:4]
    assert Path(module).is_relative_to(site)
    assert status == "200 3.1.0"
    assert json_status == "200"
    assert Path(maps).is_relative_to(site)
