"""ExecuteCommand.aspx: small HTML pages for the records Autotask's deep links open (seed 000).

`?Code=<command>&<Param>=<value>`, names matched case-insensitively. One match renders the
record (or the "new" form for it), several render a list to choose from (as Autotask's list
window does for phone numbers), none renders a 404 error page; an unknown command or missing
parameters render a 400 error page (Autotask shows "an error message"; inferred statuses).
Commands for records the sandbox does not keep (projects, contracts, ...) render a page with
their parameters. The command table is data: `data/execute_commands.yaml`.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template

from connector.sandbox.catalog import DATA_DIR, CatalogError, load_yaml
from connector.sandbox.records import fetch_one
from connector.sandbox.store import quote
from connector.sandbox.values import ascii_id

MATCHES = {"id", "text", "phone"}


@functools.cache
def command_table() -> dict[str, Any]:
    raw = load_yaml(DATA_DIR / "execute_commands.yaml")
    for code, command in raw["commands"].items():
        if "title" not in command:
            raise CatalogError(f"execute_commands.yaml {code}: a command needs a title")
        for lookup in command.get("lookups") or []:
            if lookup.get("match") not in MATCHES or not {"param", "entity", "field"} <= set(
                lookup
            ):
                raise CatalogError(f"execute_commands.yaml {code}: malformed lookup {lookup}")
    return raw


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return Response(
        render_template(f"execute_command/{template}.html", **context),
        status=status,
        mimetype="text/html",
    )


def _error(message: str, status: int, command: str | None = None) -> Response:
    return _page("error", status, title="Error", message=message, command=command)


def render(ctx) -> Response:
    table = command_table()
    code = ctx.arg("Code") or ""
    name = next((c for c in table["commands"] if c.lower() == code.lower()), None)
    if name is None:
        return _error(f"Invalid command: '{code}'.", 400)
    command = table["commands"][name]
    params = {key.lower(): ctx.args.get(key) for key in ctx.args if key.lower() != "code"}
    for required in command.get("all_of") or []:
        if not (params.get(required.lower()) or "").strip():
            return _error(f"The command {name} needs the parameter {required}.", 400, name)
    if command.get("stored") is False:
        shown = [(p, params[p.lower()]) for p in command.get("all_of") or []]
        return _page("placeholder", title=f"{command['title']}", command=name, params=shown)
    lookups = [lk for lk in command.get("lookups") or [] if params.get(lk["param"].lower())]
    if not lookups:
        if command.get("form") and not command.get("lookups"):
            return _page("form", title=command["title"], command=name, record=None)
        wanted = ", ".join(lk["param"] for lk in command.get("lookups") or [])
        return _error(f"The command {name} needs one of the parameters {wanted}.", 400, name)
    if not command.get("combine"):
        lookups = lookups[:1]
    try:
        found = _find(ctx, lookups, params)
    except ValueError as error:
        return _error(str(error), 400, name)
    entity = ctx.runtime.catalog.entity(lookups[0]["entity"])
    if not found:
        return _error(f"No {entity.singular} matches the parameters given.", 404, name)
    with ctx.runtime.store.read() as conn:
        records = [fetch_one(conn, entity, record_id) for record_id in found]
    show = table["show"].get(entity.name, [])
    if len(records) > 1:

        def link(record_id: int) -> str:
            return "?" + urlencode({"Code": name, _id_param(command, entity.name): record_id})

        labeled = [(r, " ".join(str(r.get(f) or "") for f in show[:2])) for r in records]
        return _page(
            "list",
            title=command["title"],
            command=name,
            entity=entity.name,
            records=labeled,
            link=link,
        )
    record = records[0]
    if command.get("form"):
        label = " ".join(str(record.get(f) or "") for f in show[:2])
        return _page(
            "form",
            title=command["title"],
            command=name,
            entity=entity.name,
            singular=entity.singular,
            record=record,
            label=label,
        )
    return _page(
        "record",
        title=command["title"],
        command=name,
        entity=entity.name,
        singular=entity.singular,
        record=record,
        fields=[(f, record.get(f)) for f in show],
    )


def _id_param(command: dict[str, Any], entity_name: str) -> str:
    for lookup in command.get("lookups") or []:
        if lookup["entity"] == entity_name and lookup["match"] == "id":
            return lookup["param"]
    return "ID"


def _find(ctx, lookups: list[dict[str, Any]], params: dict[str, str]) -> list[int]:
    """Ids of the records every given lookup matches (ValueError: a malformed value)."""
    entity = ctx.runtime.catalog.entity(lookups[0]["entity"])
    table = quote(entity.table)
    found: set[int] | None = None
    with ctx.runtime.store.read() as conn:
        for lookup in lookups:
            value = params[lookup["param"].lower()].strip()
            column = quote(lookup["field"])
            if lookup["match"] == "id":
                if not re.fullmatch(r"[0-9]+", value):
                    raise ValueError(f"The parameter {lookup['param']} must be a number.")
                number = ascii_id(value)  # None: beyond Int64, so no record has it
                ids = {
                    r[0]
                    for r in conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (number,))
                }
            elif lookup["match"] == "text":
                ids = {
                    r[0]
                    for r in conn.execute(
                        f"SELECT id FROM {table} WHERE {column} = ? COLLATE NOCASE", (value,)
                    )
                }
            else:
                digits = re.sub(r"[^0-9]", "", value)
                if not digits:
                    raise ValueError(f"The parameter {lookup['param']} must hold digits.")
                ids = {
                    r[0]
                    for r in conn.execute(
                        f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"
                    )
                    if re.sub(r"[^0-9]", "", r[1]).startswith(digits)
                }
            found = ids if found is None else found & ids
    return sorted(found or ())
