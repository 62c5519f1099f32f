"""The element this connector serves and its configuration keys, loaded from autotaskcrm.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ELEMENT_KEY = "autotaskcrm"


@dataclass(frozen=True)
class ConfigKey:
    id: int
    key: str
    name: str
    type: str
    description: str
    required: bool = False
    secret: bool = False
    field: str | None = None
    default: str | None = None
    choices: tuple[str, ...] | None = None


@cache
def _load() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).parent / "autotaskcrm.yaml").read_text())


def element() -> dict[str, Any]:
    """The Cloud Elements element object (a fresh copy)."""
    return dict(_load()["element"])


def element_id() -> int:
    return int(_load()["element"]["id"])


@cache
def config_keys() -> tuple[ConfigKey, ...]:
    return tuple(
        ConfigKey(**{**row, "choices": tuple(row["choices"]) if row.get("choices") else None})
        for row in _load()["configuration"]
    )


def config_key(key: str) -> ConfigKey | None:
    return next((c for c in config_keys() if c.key == key), None)


def config_key_by_id(config_id: int) -> ConfigKey | None:
    return next((c for c in config_keys() if c.id == config_id), None)


USERNAME = "crm.autotask.username"
PASSWORD = "crm.autotask.password"  # noqa: S105 - a configuration key name, not a secret
SERVER_URL = "crm.autotask.server.url"
INTEGRATION_CODE = "crm.autotask.integration.code"
TICKET_SOURCE = "crm.autotask.ticket.source"
DEFAULT_OWNER = "crm.autotask.default.owner.id"
MODEL = "crm.autotask.model"
CREDENTIAL_KEYS = frozenset({USERNAME, PASSWORD, SERVER_URL, INTEGRATION_CODE})
