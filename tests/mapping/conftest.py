"""Fixtures for the mapping tests: the shipped maps and a tenant built from literal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from connector.autotask.picklists import Picklist
from connector.mapping import ResourceMap, load_maps

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
LINK_BASE = "https://ww2.autotask.net/Autotask/AutotaskExtend/ExecuteCommand.aspx"


class LiteralContext:
    """A MappingContext read from literal tenant data (a plain object, not a stand-in for a
    real part: the hub builds the real one from the same kind of metadata)."""

    def __init__(self, picklists: dict, udfs: dict, options: dict) -> None:
        self.picklists = picklists
        self.udfs = udfs
        self.options = options

    def picklist(self, entity: str, field: str) -> Picklist:
        return Picklist.from_metadata(field, self.picklists.get(entity, {}).get(field))

    def udf_picklist(self, entity: str, name: str) -> Picklist | None:
        values = self.udfs.get(entity, {}).get(name)
        return Picklist.from_metadata(name, values) if values else None

    def udf_names(self, entity: str) -> list[str]:
        return list(self.udfs.get(entity, {}))

    def link(self, command: str, **params: Any) -> str:
        return f"{LINK_BASE}?{urlencode({'Code': command, **params})}"

    def option(self, name: str) -> Any:
        return self.options.get(name)


def load_tenant(**options: Any) -> LiteralContext:
    tenant = yaml.safe_load((DATA / "tenant.yaml").read_text())
    return LiteralContext(tenant["picklists"], tenant["udfs"], {**tenant["options"], **options})


@pytest.fixture
def ctx() -> LiteralContext:
    return load_tenant()


@pytest.fixture(scope="session")
def maps() -> dict[str, ResourceMap]:
    return load_maps(ROOT / "transformations")


@pytest.fixture(scope="session")
def records() -> dict[str, dict]:
    return yaml.safe_load((DATA / "records.yaml").read_text())
