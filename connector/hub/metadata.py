"""Field metadata in Cloud Elements' shape (`GET /objects/{name}/metadata`) for native entities.

Normalized resources describe themselves from their maps; an Autotask entity is described from
its `entityInformation/fields` and `userDefinedFields`, which the client caches per database.
"""

from __future__ import annotations

from typing import Any

from connector.autotask import filters

_TYPES = {
    "integer": "number",
    "long": "number",
    "short": "number",
    "decimal": "number",
    "double": "number",
    "boolean": "boolean",
    "datetime": "date",
    "string": "string",
}
_STRING_OPS = sorted(
    filters.COMPARISONS | filters.STRING_MATCHES | filters.NULL_CHECKS | filters.SET_MATCHES
)
_OTHER_OPS = sorted(filters.COMPARISONS | filters.NULL_CHECKS | filters.SET_MATCHES)


def _operators(data_type: str, queryable: bool) -> list[str]:
    if not queryable:
        return []
    return _STRING_OPS if data_type == "string" else _OTHER_OPS


def _picklist(raw: Any) -> list[dict[str, Any]] | None:
    if not raw:
        return None
    return [
        {"value": str(v.get("value")), "label": v.get("label")}
        for v in raw
        if v.get("isActive", True)
    ]


def cloud_elements_row(row: dict[str, Any]) -> dict[str, Any]:
    """One metadata row with both Cloud Elements' keys (vendorRequired, vendorReadOnly, ...)
    and the plain ones (required, readOnly), whichever the describer filled in."""
    required = bool(row.get("required", row.get("vendorRequired", False)))
    read_only = bool(row.get("readOnly", row.get("vendorReadOnly", False)))
    return {
        "path": row["path"],
        "type": row.get("type", "string"),
        "vendorPath": row.get("vendorPath"),
        "vendorDisplayName": row.get("vendorDisplayName") or row.get("vendorPath") or row["path"],
        "vendorNativeType": row.get("vendorNativeType", "string"),
        "required": required,
        "readOnly": read_only,
        "vendorRequired": required,
        "vendorReadOnly": read_only,
        "hidden": bool(row.get("hidden", False)),
        "custom": bool(row.get("custom", False)),
        "filterable": list(row.get("filterable") or []),
        "picklistValues": row.get("picklistValues"),
        "description": row.get("description") or "",
    }


def native_fields(entity: str, ctx: Any) -> list[dict[str, Any]]:
    described = []
    for field in ctx.fields(entity):
        data_type = str(field.get("dataType", "string")).lower()
        described.append(
            {
                "path": field["name"],
                "type": _TYPES.get(data_type, "string"),
                "vendorPath": field["name"],
                "vendorDisplayName": field.get("label") or field["name"],
                "vendorNativeType": "picklist" if field.get("isPickList") else data_type,
                "vendorRequired": bool(field.get("isRequired")),
                "vendorReadOnly": bool(field.get("isReadOnly")),
                "hidden": False,
                "custom": False,
                "filterable": _operators(data_type, bool(field.get("isQueryable", True))),
                "picklistValues": _picklist(field.get("picklistValues"))
                if field.get("isPickList")
                else None,
            }
        )
    for udf in ctx.udfs(entity):
        data_type = str(udf.get("type") or udf.get("dataType") or "string").lower()
        described.append(
            {
                "path": udf["name"],
                "type": _TYPES.get(data_type, "string"),
                "vendorPath": f"userDefinedFields[name={udf['name']}].value",
                "vendorDisplayName": udf.get("label") or udf["name"],
                "vendorNativeType": "picklist" if udf.get("isPickList") else data_type,
                "vendorRequired": bool(udf.get("isRequired")),
                "vendorReadOnly": bool(udf.get("isReadOnly")),
                "hidden": False,
                "custom": True,
                "filterable": _operators(data_type, bool(udf.get("isQueryable", True))),
                "picklistValues": _picklist(udf.get("picklistValues"))
                if udf.get("isPickList")
                else None,
            }
        )
    return described
