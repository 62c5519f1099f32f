"""The checks Autotask applies to every write, driven by the entity definitions.

Required fields, string lengths, numeric ranges, picklist values (active when newly set, and
matching their parent picklist whenever either changes), references that must exist (and be
active when newly set), and records that must belong to the written record's company. Each
failure is Autotask's 500 with an `errors` array; the texts are Autotask's where known
(reference section 8).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from connector.sandbox.catalog import Catalog, EntityDef, FieldDef, UdfDef
from connector.sandbox.errors import autotask_error, bad_reference, required_missing, too_long
from connector.sandbox.store import quote

# References whose target must belong to the written record's company (reference section 10;
# Tickets seed: "Contact.companyID must = ticket.companyID", same for opportunityID).
COMPANY_BOUND = {"Contacts", "Opportunities", "Tickets"}
_NOT_COMPANY_BOUND = {"problemTicketID"}


def picklist_invalid(name: str) -> Exception:
    return autotask_error(f"Value does not reference an existing entity for {name} . ")


def picklist_inactive(name: str, value: Any) -> Exception:
    return autotask_error(f"The value {value} of field {name} is inactive and cannot be assigned.")


def changed(record: dict[str, Any], previous: dict[str, Any] | None, name: str) -> bool:
    return previous is None or record.get(name) != previous.get(name)


def check_fields(
    conn: sqlite3.Connection,
    catalog: Catalog,
    entity: EntityDef,
    record: dict[str, Any],
    previous: dict[str, Any] | None,
    *,
    parent_company_allowed: frozenset[str] = frozenset(),
) -> None:
    """Raise the first failure for `record` (stored values); `previous` is None on create."""
    for item in entity.fields:
        if item.name == "id":
            continue
        value = record.get(item.name)
        if value is None:
            if item.required and not item.read_only:
                raise required_missing(item.name)
            continue
        _check_value(item, value)
        if item.is_picklist:
            newly_set = changed(record, previous, item.name)
            # A child picklist value must stay under its parent when either one changes.
            parent_changed = bool(item.picklist_parent) and changed(
                record, previous, item.picklist_parent
            )
            if newly_set or parent_changed:
                _check_picklist(catalog, item, record, newly_set=newly_set)
        if item.reference and changed(record, previous, item.name):
            _check_reference(conn, catalog, entity, item, record, parent_company_allowed)


def _check_value(item: FieldDef, value: Any) -> None:
    if item.is_string and item.length and len(value) > item.length:
        raise too_long(item.name)
    if item.minimum is not None and value < item.minimum:
        raise autotask_error(f"{item.name} must be between {item.minimum} and {item.maximum}.")
    if item.maximum is not None and value > item.maximum:
        raise autotask_error(f"{item.name} must be between {item.minimum} and {item.maximum}.")
    if item.allowed is not None and value not in item.allowed:
        raise autotask_error(f"Invalid value {value} for field {item.name}.")


def _check_picklist(
    catalog: Catalog, item: FieldDef, record: dict[str, Any], *, newly_set: bool
) -> None:
    """The value exists (and is active when newly set) and belongs to its parent's value."""
    value = record[item.name]
    match = next((v for v in catalog.picklist_for(item) if str(v.value) == str(value)), None)
    if match is None:
        raise picklist_invalid(item.name)
    if newly_set and not match.is_active:
        raise picklist_inactive(item.name, value)
    if item.picklist_parent:
        parent_value = record.get(item.picklist_parent)
        if parent_value is None:
            raise autotask_error(
                f"When a {item.name} value is provided, the associated {item.picklist_parent} "
                "value must also be provided."
            )
        if str(match.parent_value) != str(parent_value):
            raise autotask_error(
                f"The {item.name} value {value} does not belong to {item.picklist_parent} "
                f"{parent_value}."
            )


def _check_reference(
    conn: sqlite3.Connection,
    catalog: Catalog,
    entity: EntityDef,
    item: FieldDef,
    record: dict[str, Any],
    parent_company_allowed: frozenset[str],
) -> None:
    value = record[item.name]
    target = catalog.entity(item.reference)
    if target is None:  # a lookup list standing in for an entity the sandbox does not serve
        entry = next((e for e in catalog.lookups[item.reference] if e["id"] == value), None)
        if entry is None or not entry.get("isActive", True):
            raise bad_reference(item.name, item.reference.rstrip("s"))
        return
    columns = ["id"]
    if target.field("isActive"):
        columns.append("isActive")
    bound = (
        target.name in COMPANY_BOUND
        and item.name not in _NOT_COMPANY_BOUND
        and entity.field("companyID") is not None
        and target.field("companyID") is not None
        and item.name != "companyID"
    )
    if bound:
        columns.append("companyID")
    row = conn.execute(
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(target.table)} WHERE id = ?",
        (value,),
    ).fetchone()
    if row is None:
        raise bad_reference(item.name, target.singular)
    found = dict(zip(columns, row, strict=True))
    if "isActive" in found and target.name in ("Resources", "Contacts") and not found["isActive"]:
        raise bad_reference(item.name, target.singular)
    if bound and record.get("companyID") is not None and found["companyID"] != record["companyID"]:
        if item.name in parent_company_allowed and _is_parent_company(
            conn, found["companyID"], record["companyID"]
        ):
            return
        raise autotask_error(
            f"The {target.singular} {value} referenced by {item.name} does not belong to "
            f"Company {record['companyID']}."
        )


def _is_parent_company(conn: sqlite3.Connection, candidate: int, company_id: int) -> bool:
    row = conn.execute(
        'SELECT "parentCompanyID" FROM "Companies" WHERE id = ?', (company_id,)
    ).fetchone()
    return row is not None and row[0] == candidate


def check_udfs(entity: EntityDef, values: dict[str, Any], previous: dict[str, Any] | None) -> None:
    for udf in entity.udfs:
        value = values.get(udf.name)
        if value is None:
            if udf.required:
                raise required_missing(udf.name)
            continue
        _check_udf(udf, value, previous)


def _check_udf(udf: UdfDef, value: str, previous: dict[str, Any] | None) -> None:
    if udf.length and len(value) > udf.length:
        raise too_long(udf.name)
    if udf.picklist is None:
        return
    item = udf.picklist_value(value)
    if item is None:
        raise picklist_invalid(udf.name)
    if not item.is_active and (previous is None or previous.get(udf.name) != value):
        raise picklist_inactive(udf.name, value)
