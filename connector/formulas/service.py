"""The rules of templates and formula instances: who owns what, what a save must satisfy.

Templates belong to an organization (shipped ones to everyone, read-only). A formula instance
belongs to its template's caller organization and names element instances of that same
organization only; its configuration is checked against the template's declared entries.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as MarshmallowError

from connector.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from connector.formulas import limits, shipped
from connector.formulas.org_index import OrgIndexBackfill
from connector.formulas.store import FormulaStore
from connector.formulas.template import (
    READ_ONLY_KEYS,
    TemplateError,
    build_template,
    flatten_messages,
)
from connector.tenancy.counts import CountCap
from connector.tenancy.instances import InstanceStore

MAX_VALUE_BYTES = 4096


class InstanceBodySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    active = fields.Boolean(load_default=True)
    configuration = fields.Dict(keys=fields.String(), load_default=dict)
    formula = fields.Dict()  # Cloud Elements clients send {"id": ...}; the path decides


class FormulaService:
    def __init__(self, store: FormulaStore, instances: InstanceStore) -> None:
        self.store = store
        self.instances = instances
        r, k = store.redis, store.keys
        self.template_cap = CountCap(r, k, "formulas", limit=limits.MAX_TEMPLATES, what="formulas")
        self.instance_cap = CountCap(
            r, k, "formula-instances", limit=limits.MAX_FORMULA_INSTANCES, what="formula instances"
        )
        self.org_index = OrgIndexBackfill(r, k)  # instances stored before the cap counted

    # -- templates -----------------------------------------------------------------------
    def create_template(self, org_id: int, body: Any) -> dict[str, Any]:
        with self.template_cap.place(org_id, self.store.keys.org_formulas(org_id)):
            return self.store.create_template(org_id, self._checked(body))

    def template(self, org_id: int, formula_id: str) -> dict[str, Any]:
        doc = self.store.template_doc(formula_id)
        if doc is None or doc.get("organizationId") not in (None, org_id):
            raise NotFoundError(f"No formula {formula_id} in your organization")
        return doc

    def templates(self, org_id: int, system_only: bool = False) -> list[dict[str, Any]]:
        system = [self.store.template_doc(name) for name in shipped.shipped()]
        found = [d for d in system if d is not None]
        return found if system_only else found + self.store.templates(org_id)

    def replace_template(self, org_id: int, formula_id: str, body: Any) -> dict[str, Any]:
        return self.store.replace_template(self._owned(org_id, formula_id), self._checked(body))

    def patch_template(self, org_id: int, formula_id: str, body: Any) -> dict[str, Any]:
        doc = self._owned(org_id, formula_id)
        if not isinstance(body, dict):
            raise ValidationError("Invalid formula: send a JSON object body")
        return self.store.replace_template(doc, self._checked({**doc["template"], **body}))

    def delete_template(self, org_id: int, formula_id: str) -> None:
        doc = self._owned(org_id, formula_id)
        if self.store.instances_of(doc["id"]):
            raise ConflictError(f"Formula {formula_id} has formula instances: delete them first")
        self.store.delete_template(doc)

    def _owned(self, org_id: int, formula_id: str) -> dict[str, Any]:
        doc = self.template(org_id, formula_id)
        if doc.get("system"):
            raise ForbiddenError(
                f"Formula {formula_id} is shipped with the service and cannot be changed; "
                "POST a copy of it to /formulas"
            )
        return doc

    @staticmethod
    def _checked(body: Any) -> dict[str, Any]:
        if body is not None and len(json.dumps(body)) > limits.MAX_TEMPLATE_BYTES:
            raise ValidationError(f"Invalid formula: larger than {limits.MAX_TEMPLATE_BYTES} bytes")
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k not in READ_ONLY_KEYS}
        try:
            return build_template(body).data
        except TemplateError as exc:
            raise ValidationError("Invalid formula: " + "; ".join(exc.problems)) from None

    # -- formula instances ---------------------------------------------------------------
    def create_instance(self, org_id: int, user_id: int, formula_id: str, body: Any):
        doc = self.template(org_id, formula_id)
        self.org_index.ensure()
        with self.instance_cap.place(org_id, self.store.keys.org_formula_instances(org_id)):
            return self.store.create_instance(self._instance_doc(org_id, user_id, doc, body))

    def instance(self, org_id: int, instance_id: int | str) -> dict[str, Any]:
        doc = self.store.instance(instance_id)
        if doc is None or doc["organizationId"] != org_id:
            raise NotFoundError(f"No formula instance {instance_id} in your organization")
        return doc

    def instance_of(self, org_id: int, formula_id: str, instance_id: int) -> dict[str, Any]:
        doc = self.instance(org_id, instance_id)
        if str(doc["formulaId"]) != str(formula_id):
            raise NotFoundError(f"No formula instance {instance_id} of formula {formula_id}")
        return doc

    def instances_of(self, org_id: int, formula_id: str) -> list[dict[str, Any]]:
        self.template(org_id, formula_id)
        return [d for d in self.store.instances_of(formula_id) if d["organizationId"] == org_id]

    def replace_instance(self, org_id: int, user_id: int, formula_id: str, instance_id: int, body):
        old = self.instance_of(org_id, formula_id, instance_id)
        new = self._instance_doc(org_id, user_id, self.template(org_id, formula_id), body)
        return self.store.replace_instance(old, new)

    def delete_instance(self, org_id: int, formula_id: str, instance_id: int) -> None:
        self.store.delete_instance(self.instance_of(org_id, formula_id, instance_id))

    def element_instance_deleted(self, element_instance_id: int) -> None:
        """Formula instances on a deleted element instance stop, saying why."""
        for doc in self.store.instances_on(element_instance_id):
            lost = sorted({*doc.get("deletedElementInstanceIds", []), element_instance_id})
            self.store.replace_instance(
                doc, {**doc, "active": False, "deletedElementInstanceIds": lost}
            )

    def _instance_doc(self, org_id: int, user_id: int, template: dict, body: Any) -> dict:
        try:
            data = InstanceBodySchema().load(body if body is not None else {})
        except MarshmallowError as exc:
            lines = flatten_messages(exc.messages)
            raise ValidationError("Invalid formula instance: " + "; ".join(lines)) from None
        compiled = self.store.compiled(template)
        values, element_ids = self._configuration(org_id, compiled.configuration, data)
        return {
            "formulaId": template["id"],
            "organizationId": org_id,
            "userId": user_id,
            "name": data["name"],
            "active": data["active"],
            "configuration": values,
            "elementInstanceIds": element_ids,
        }

    def _configuration(self, org_id: int, entries: dict, data: dict) -> tuple[dict, list[int]]:
        given = data["configuration"]
        problems = [
            f"configuration.{k}: not a configuration entry of the formula"
            for k in given
            if k not in entries
        ]
        values: dict[str, Any] = {}
        element_ids: list[int] = []
        for key, entry in entries.items():
            value = given.get(key, entry.get("default"))
            if value is None or (value == "" and entry["type"] == "elementInstance"):
                if entry["required"]:
                    problems.append(f"configuration.{key}: required")
                continue
            if len(json.dumps(value)) > MAX_VALUE_BYTES:
                problems.append(f"configuration.{key}: larger than {MAX_VALUE_BYTES} bytes")
                continue
            if entry["type"] == "elementInstance":
                instance = self._element_instance(org_id, value)
                if instance is None:
                    problems.append(
                        f"configuration.{key}: no element instance {value} in your organization"
                    )
                    continue
                value = instance
                element_ids.append(instance)
            values[key] = value
        if problems:
            raise ValidationError("Invalid formula instance: " + "; ".join(problems))
        return values, element_ids

    def _element_instance(self, org_id: int, value: Any) -> int | None:
        if isinstance(value, bool) or not str(value).isdigit():
            return None
        found = self.instances.get_for_org(int(value), org_id)
        return found.id if found is not None else None
