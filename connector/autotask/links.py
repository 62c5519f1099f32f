"""ExecuteCommand deep links into the Autotask UI, built from the zone's webUrl.

`https://ww{N}.autotask.net/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenAccount&AccountID=7`
The commands and their parameters are data (commands.yaml). A user must be logged in to
Autotask for the link to open; the link itself carries no credential.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import yaml

from connector.errors import ConfigurationError

COMMANDS_FILE = Path(__file__).with_name("commands.yaml")
EXECUTE_PATH = "Autotask/AutotaskExtend/ExecuteCommand.aspx"


@cache
def _table() -> dict[str, Any]:
    with COMMANDS_FILE.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    commands = {
        name.lower(): (name, {p.lower(): p for p in params})
        for name, params in raw["commands"].items()
    }
    entities = {}
    for entity, (command, param) in raw["entities"].items():
        if command.lower() not in commands:
            raise ConfigurationError(f"{COMMANDS_FILE.name}: {entity} names unknown {command}")
        entities[entity.lower()] = (command, param)
    return {"commands": commands, "entities": entities}


def web_base(web_url: str, api_url: str = "") -> str:
    """The UI host: the zone's webUrl, else the API host with webservicesN turned into wwN."""
    if web_url:
        return web_url if web_url.endswith("/") else web_url + "/"
    parts = urlsplit(api_url)
    host = re.sub(r"^webservices(\d*)\.", r"ww\1.", parts.hostname or "", flags=re.IGNORECASE)
    if not host:
        raise ConfigurationError("The zone gives no web URL to build Autotask links from")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'https'}://{host}{port}/"


def execute_command_url(base: str, command: str, **params: Any) -> str:
    """The ExecuteCommand URL for `command` (any case) with its parameters (any case)."""
    known = _table()["commands"].get(command.lower())
    if known is None:
        raise ValueError(f"Unknown ExecuteCommand {command!r}")
    name, accepted = known
    query: list[tuple[str, str]] = [("Code", name)]
    for key, value in params.items():
        spelled = accepted.get(key.lower())
        if spelled is None:
            raise ValueError(f"ExecuteCommand {name} takes no parameter {key!r}")
        if value is not None:
            query.append((spelled, str(value)))
    return f"{base}{EXECUTE_PATH}?{urlencode(query)}"


def record_command(entity: str) -> tuple[str, str] | None:
    """(command, id parameter) that opens one record of `entity`, if Autotask has one."""
    return _table()["entities"].get(entity.lower())
