"""The deterministic seed generator: the same `records`, `seed_counts` and `seed` always give
the same data set (`data/seed/plan.yaml` and `words.yaml` hold the plan and the word lists).

`records` is the number of companies (plus company 0, the tenant's own); the other entities
scale per company. Each entity draws from its own random stream, so changing one count does
not reshuffle the others. Rows go in with `executemany`, one transaction per entity.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from connector.sandbox.catalog import DATA_DIR, EntityDef, load_yaml
from connector.sandbox.seed_rows import RowBuilder
from connector.sandbox.store import Store, quote

ORDER = [
    "Resources",
    "Companies",
    "Contacts",
    "Opportunities",
    "Tickets",
    "TicketNotes",
    "CompanyNotes",
    "CompanyToDos",
    "Projects",
    "Tasks",
    "ClientPortalUsers",
]


@functools.cache
def _plan() -> dict[str, Any]:
    return load_yaml(DATA_DIR / "seed" / "plan.yaml")


@functools.cache
def _words() -> dict[str, Any]:
    return load_yaml(DATA_DIR / "seed" / "words.yaml")


def planned_counts(records: int, seed_counts: dict[str, int] | None = None) -> dict[str, int]:
    plan = _plan()
    counts = {"Companies": records}
    for name, ratio in plan["per_company"].items():
        counts[name] = int(records * ratio)
    for name, value in (seed_counts or {}).items():
        if name not in ORDER or name == "Resources":
            raise ValueError(f"seed_counts: cannot seed a count of {name!r}")
        counts[name] = int(value)
    return counts


def seed_store(
    store: Store,
    *,
    records: int = 10,
    seed_counts: dict[str, int] | None = None,
    seed: int = 20240601,
) -> dict[str, int]:
    """Fill an empty store; returns the rows written per entity."""
    counts = planned_counts(records, seed_counts)
    anchor = datetime.fromisoformat(_plan()["anchor"].replace("Z", "+00:00")).replace(tzinfo=None)
    builder = RowBuilder(store.catalog, _plan(), _words(), anchor, seed)
    written: dict[str, int] = {}
    steps: dict[str, Callable[[int], list[dict[str, Any]]]] = {
        "Resources": lambda _n: builder.resources(),
        "Companies": builder.companies,
        "Contacts": builder.contacts,
        "Opportunities": builder.opportunities,
        "Tickets": builder.tickets,
        "TicketNotes": builder.ticket_notes,
        "CompanyNotes": builder.company_notes,
        "CompanyToDos": builder.company_todos,
        "Projects": builder.projects,
        "Tasks": builder.tasks,
        "ClientPortalUsers": builder.client_portal_users,
    }
    for name in ORDER:
        entity = store.catalog.entity(name)
        rows = steps[name](counts.get(name, 0))
        _insert(store, entity, rows)
        written[name] = len(rows)
    with store.write() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO _resource_roles (resource_id, role_id) VALUES (?, ?)",
            builder.resource_roles,
        )
        conn.execute(
            "INSERT OR REPLACE INTO _meta (key, value) VALUES ('seeded', ?)",
            (json.dumps({"records": records, "counts": written, "seed": seed}),),
        )
    return written


def _insert(store: Store, entity: EntityDef, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    names = [f.name for f in entity.fields]
    columns = ", ".join(quote(n) for n in names) + ', "_udf"'
    marks = ", ".join("?" for _ in range(len(names) + 1))
    sql = f"INSERT INTO {quote(entity.table)} ({columns}) VALUES ({marks})"

    def values(row: dict[str, Any]) -> list[Any]:  # rows already hold stored values
        udf = row.get("_udf")
        udf_json = json.dumps({k: v for k, v in udf.items() if v is not None}) if udf else None
        return [*map(row.get, names), udf_json]

    with store.write() as conn:
        conn.executemany(sql, (values(row) for row in rows))
