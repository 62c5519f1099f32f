"""Templates and formula instances in Redis (JSON documents, indexed per owner).

    formula:{id}                         a template: {id, organizationId, version, ..., template}
    org:{org}:formulas                   the organization's template ids
    formula:instance:{id}                a formula instance
    formula:{id}:instances               the template's formula instance ids
    instance:{elementInstanceId}:formula-instances   who runs on an element instance

Shipped templates are not stored: their ids are their file names (see shipped.py).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import redis

from connector.errors import NotFoundError
from connector.formulas import shipped, state_budget
from connector.formulas.template import CompiledTemplate, build_template
from connector.storage.keys import Keys

_COMPILED_MAX = 256


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FormulaStore:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis = client
        self.keys = keys
        # (id, version) -> built template: expressions compile once per template version
        self._compiled: OrderedDict[tuple[str, int], CompiledTemplate] = OrderedDict()

    # -- templates -----------------------------------------------------------------------
    def create_template(self, org_id: int, template: dict[str, Any]) -> dict[str, Any]:
        formula_id = int(self.redis.incr(self.keys.sequence("formula")))
        now = utc_now()
        doc = {
            "id": formula_id,
            "organizationId": org_id,
            "version": 1,
            "createdDate": now,
            "updatedDate": now,
            "template": template,
        }
        with self.redis.pipeline() as pipe:
            pipe.set(self.keys.formula(formula_id), json.dumps(doc))
            pipe.sadd(self.keys.org_formulas(org_id), formula_id)
            pipe.execute()
        return doc

    def template_doc(self, formula_id: int | str) -> dict[str, Any] | None:
        """A stored template's document, or a shipped one's (organizationId None)."""
        found = shipped.get(str(formula_id))
        if found is not None:
            return {
                "id": str(formula_id),
                "organizationId": None,
                "version": 1,
                "system": True,
                "template": found[0],
            }
        if not str(formula_id).isdigit():
            return None
        raw = self.redis.get(self.keys.formula(formula_id))
        return json.loads(raw) if raw else None

    def templates(self, org_id: int) -> list[dict[str, Any]]:
        ids = sorted(int(i) for i in self.redis.smembers(self.keys.org_formulas(org_id)))
        raws = self.redis.mget([self.keys.formula(i) for i in ids]) if ids else []
        return [json.loads(raw) for raw in raws if raw]

    def replace_template(self, doc: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
        doc = {**doc, "template": template, "version": doc["version"] + 1, "updatedDate": utc_now()}
        self.redis.set(self.keys.formula(doc["id"]), json.dumps(doc))
        return doc

    def delete_template(self, doc: dict[str, Any]) -> None:
        with self.redis.pipeline() as pipe:
            pipe.delete(self.keys.formula(doc["id"]), self.keys.formula_instances(doc["id"]))
            pipe.srem(self.keys.org_formulas(doc["organizationId"]), doc["id"])
            pipe.execute()

    def compiled(self, doc: dict[str, Any]) -> CompiledTemplate:
        """The built template of a document, built once per (id, version) in this process."""
        key = (str(doc["id"]), int(doc["version"]))
        built = self._compiled.get(key)
        if built is None:
            found = shipped.get(key[0]) if doc.get("system") else None
            built = found[1] if found else build_template(doc["template"])
            self._compiled[key] = built
            while len(self._compiled) > _COMPILED_MAX:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return built

    # -- formula instances ---------------------------------------------------------------
    def create_instance(self, doc: dict[str, Any]) -> dict[str, Any]:
        doc = {**doc, "id": int(self.redis.incr(self.keys.sequence("formula-instance")))}
        doc["createdDate"] = doc["updatedDate"] = utc_now()
        with self.redis.pipeline() as pipe:
            pipe.set(self.keys.formula_instance(doc["id"]), json.dumps(doc))
            pipe.sadd(self.keys.formula_instances(doc["formulaId"]), doc["id"])
            pipe.sadd(self.keys.org_formula_instances(doc["organizationId"]), doc["id"])
            for element_id in doc["elementInstanceIds"]:
                pipe.sadd(self.keys.element_formula_instances(element_id), doc["id"])
            pipe.execute()
        return doc

    def instance(self, instance_id: int | str) -> dict[str, Any] | None:
        if not str(instance_id).isdigit():
            return None
        raw = self.redis.get(self.keys.formula_instance(instance_id))
        return json.loads(raw) if raw else None

    def instances_of(self, formula_id: int | str) -> list[dict[str, Any]]:
        return self._instances(self.redis.smembers(self.keys.formula_instances(formula_id)))

    def instances_on(self, element_instance_id: int | str) -> list[dict[str, Any]]:
        key = self.keys.element_formula_instances(element_instance_id)
        return self._instances(self.redis.smembers(key))

    def _instances(self, ids: Any) -> list[dict[str, Any]]:
        ordered = sorted(int(i) for i in ids)
        raws = self.redis.mget([self.keys.formula_instance(i) for i in ordered]) if ordered else []
        return [json.loads(raw) for raw in raws if raw]

    def replace_instance(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        if self.instance(old["id"]) is None:
            raise NotFoundError(f"No formula instance {old['id']}: it was deleted")
        new = {**new, "id": old["id"], "createdDate": old["createdDate"], "updatedDate": utc_now()}
        with self.redis.pipeline() as pipe:
            pipe.set(self.keys.formula_instance(old["id"]), json.dumps(new))
            for element_id in set(old["elementInstanceIds"]) - set(new["elementInstanceIds"]):
                pipe.srem(self.keys.element_formula_instances(element_id), old["id"])
            for element_id in new["elementInstanceIds"]:
                pipe.sadd(self.keys.element_formula_instances(element_id), old["id"])
            pipe.execute()
        return new

    def delete_instance(self, doc: dict[str, Any]) -> None:
        """The instance, its indexes and its state values (executions expire by retention)."""
        state = self.keys.pattern("formula", "instance", doc["id"], "state", "*")
        with self.redis.pipeline() as pipe:
            pipe.delete(self.keys.formula_instance(doc["id"]))
            pipe.delete(*state_budget.index_keys(self.keys, doc["id"]))
            pipe.srem(self.keys.formula_instances(doc["formulaId"]), doc["id"])
            pipe.srem(self.keys.org_formula_instances(doc["organizationId"]), doc["id"])
            for element_id in doc["elementInstanceIds"]:
                pipe.srem(self.keys.element_formula_instances(element_id), doc["id"])
            pipe.execute()
        state_budget.forget(self.redis, self.keys, doc)
        batch = []
        for key in self.redis.scan_iter(match=state, count=500):
            batch.append(key)
            if len(batch) >= 500:
                self.redis.delete(*batch)
                batch = []
        if batch:
            self.redis.delete(*batch)
