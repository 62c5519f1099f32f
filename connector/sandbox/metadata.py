"""entityInformation, entityInformation/fields and /userDefinedFields (reference section 6)."""

from __future__ import annotations

from typing import Any

from connector.sandbox.catalog import Catalog, EntityDef, FieldDef


def info(entity: EntityDef) -> dict[str, Any]:
    flags = entity.info
    access = {True: "All", False: "None"}
    return {
        "name": entity.name,
        "canCreate": bool(flags.get("canCreate")),
        "canDelete": bool(flags.get("canDelete")),
        "canQuery": bool(flags.get("canQuery", True)),
        "canUpdate": bool(flags.get("canUpdate")),
        "userAccessForCreate": access[bool(flags.get("canCreate"))],
        "userAccessForDelete": access[bool(flags.get("canDelete"))],
        "userAccessForQuery": access[bool(flags.get("canQuery", True))],
        "userAccessForUpdate": access[bool(flags.get("canUpdate"))],
        "hasUserDefinedFields": bool(flags.get("hasUserDefinedFields")),
        "supportsWebhookCallouts": bool(flags.get("supportsWebhookCallouts")),
    }


def _reference_type(catalog: Catalog, item: FieldDef) -> str:
    if not item.reference:
        return ""
    target = catalog.entity(item.reference)
    return target.singular if target else item.reference.rstrip("s")


def picklist_values(catalog: Catalog, item: FieldDef) -> list[dict[str, Any]] | None:
    if not item.is_picklist:
        return None
    return [value.as_json() for value in catalog.picklist_for(item)]


def fields(catalog: Catalog, entity: EntityDef) -> list[dict[str, Any]]:
    webhooks = bool(entity.info.get("supportsWebhookCallouts"))
    result = []
    for item in entity.fields:
        values = picklist_values(catalog, item)
        result.append(
            {
                "name": item.name,
                "dataType": item.data_type,
                "length": item.length if item.is_string else 0,
                "isRequired": item.required,
                "isReadOnly": item.read_only,
                "isQueryable": item.queryable,
                "isReference": bool(item.reference),
                "referenceEntityType": _reference_type(catalog, item),
                "isPickList": values is not None,
                "picklistValues": values,
                "picklistParentValueField": item.picklist_parent or "",
                "isSupportedWebhookField": webhooks,
            }
        )
    return result


def user_defined_fields(entity: EntityDef) -> list[dict[str, Any]]:
    result = []
    for udf in entity.udfs:
        values = [v.as_json() for v in udf.picklist] if udf.picklist else None
        result.append(
            {
                "name": udf.name,
                "label": udf.label,
                "type": "string",
                "length": udf.length,
                "description": udf.description,
                "isRequired": udf.required,
                "isReadOnly": False,
                "isQueryable": True,
                "isReference": False,
                "referenceEntityType": "",
                "isPickList": values is not None,
                "picklistValues": values,
                "picklistParentValueField": "",
                "defaultValue": udf.default,
                "isSupportedWebhookField": bool(entity.info.get("supportsWebhookCallouts")),
            }
        )
    return result
