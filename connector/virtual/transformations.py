"""The rules of transformations: create, replace, delete, read at either level.

- A transformation is created once (POST; again is 409) and replaced by PUT (a missing one is
  404).
- It maps fields of the definition it applies to (see `connector.virtual.inherit`): without one
  it is 404, a field outside it is 400. What its fields name on the base is checked by the
  `check` the caller passes (it needs the hub's registry and, for an instance, Autotask).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connector.errors import ConflictError, NotFoundError, ValidationError
from connector.virtual.documents import (
    TRANSFORMATION,
    Check,
    Documents,
    check_level,
    level_name,
    now,
    unmapped_paths,
    with_doc,
)
from connector.virtual.inherit import (
    INSTANCE,
    ORG,
    Stored,
    effective_definition,
    resolve,
    same_vendor,
    transformation_view,
)
from connector.virtual.model import inherits
from connector.virtual.store import Reader, Scope, org_scope


class Transformations(Documents):
    def transformation(self, scope: Scope, org_id: int, name: str) -> dict[str, Any]:
        view = transformation_view(self._stored(scope, org_id, name), scope.level)
        if view is None:
            raise NotFoundError(f"No {level_name(scope)} transformation named '{name}'")
        return view

    def transformations(self, scope: Scope, org_id: int) -> dict[str, dict[str, Any]]:
        instance_id = scope.owner if scope.level == INSTANCE else None
        views = {}
        for name, stored in self.store.stored_all(org_id, instance_id).items():
            view = transformation_view(stored, scope.level)
            if view is not None:
                views[name] = view
        return views

    # -- changes --------------------------------------------------------------------
    def save_transformation(
        self,
        scope: Scope,
        org_id: int,
        name: str,
        body: dict[str, Any],
        *,
        create: bool,
        check: Check,
    ) -> dict[str, Any]:
        doc = transformation_doc(body, scope, name)
        before = self._stored(scope, org_id, name)  # an organization scope reads no instance
        after = with_doc(before, scope.level, TRANSFORMATION, doc)
        self._check_transformation(scope, name, before, after, create=create)
        _fill_types(doc, effective_definition(after))
        vmap = resolve(after)
        if vmap is None:  # _check_transformation found both documents: this cannot happen
            raise NotFoundError(f"No {level_name(scope)} transformation named '{name}'")
        check(vmap)

        def work(reader: Reader):
            current = self._stored(scope, org_id, name, reader)
            after = with_doc(current, scope.level, TRANSFORMATION, doc)
            self._check_transformation(scope, name, current, after, create=create)

            def writes(pipe: Any) -> None:
                self.store.put(pipe, TRANSFORMATION, scope, name, doc)
                self.store.bump(pipe, org_id)

            return writes

        self.store.transaction(lambda _: self.store.keys_of([org_scope(org_id), scope]), work)
        self._changed(scope, org_id)
        return self.transformation(scope, org_id, name)

    def _check_transformation(
        self, scope: Scope, name: str, before: Stored, after: Stored, *, create: bool
    ) -> None:
        existing = (
            before.org_transformation if scope.level == ORG else before.instance_transformation
        )
        if create and existing is not None:
            raise ConflictError(
                f"A {level_name(scope)} transformation named '{name}' already exists; "
                "PUT replaces it"
            )
        if not create and existing is None:
            raise NotFoundError(f"No {level_name(scope)} transformation named '{name}'")
        if not effective_definition(after):
            where = "the organization" if scope.level == ORG else "the organization or instance"
            raise NotFoundError(
                f"No definition named '{name}' at {where} level; create it first "
                f"(POST /organizations/objects/{name}/definitions)"
            )
        own = after.instance_transformation if scope.level == INSTANCE else after.org_transformation
        if (
            scope.level == INSTANCE
            and inherits(own)
            and not same_vendor(after.org_transformation, own)
        ):
            raise ValidationError(
                f"Invalid transformation: it inherits the organization's, which maps "
                f"'{name}' to {after.org_transformation['vendorName']}; use that vendorName "
                "or drop inherit"
            )
        missing = unmapped_paths(after, instance_level=scope.level == INSTANCE)
        if missing:
            raise ValidationError(
                f"Invalid transformation: field(s) not in the definition of '{name}': "
                + ", ".join(sorted(missing))
            )
        types = {f.path: f.type for f in effective_definition(after)}
        differ = [
            f"{f['path']} is a {types[f['path']]}, not a {f['type']}"
            for f in (own or {}).get("fields", [])
            if f.get("type") and types.get(f["path"], f["type"]) != f["type"]
        ]
        if differ:
            raise ValidationError(
                "Invalid transformation: a type differs from the definition's: " + "; ".join(differ)
            )

    def delete_transformations(
        self, scope: Scope, org_id: int, names: Iterable[str] | None
    ) -> None:
        if names is not None:
            names = list(names)
            for name in names:
                if self.store.transformation(scope, name) is None:
                    raise NotFoundError(f"No {level_name(scope)} transformation named '{name}'")
        else:
            names = list(self.store.transformations(scope))
        with self.store.redis.pipeline() as pipe:
            self.store.remove(pipe, TRANSFORMATION, scope, names)
            self.store.bump(pipe, org_id)
            pipe.execute()
        self.store.forget(names)
        self._changed(scope, org_id)


def transformation_doc(body: dict[str, Any], scope: Scope, name: str) -> dict[str, Any]:
    check_level(body, scope, "transformation")
    fields = []
    for raw in body["fields"]:
        field = {k: raw[k] for k in ("path", "type", "vendorPath", "vendorType") if k in raw}
        field["configuration"] = [_config(c) for c in raw.get("configuration") or []]
        fields.append(field)
    return {
        "level": scope.level,
        "objectName": name,
        "vendorName": body["vendorName"],
        "startDate": now(),
        "fields": fields,
        "configuration": [_config(c) for c in body.get("configuration") or []],
        "isLegacy": body.get("isLegacy", False),
    }


def _config(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if v is not None}


def _fill_types(doc: dict[str, Any], definition: list) -> None:
    """A field without a type takes its definition's."""
    types = {f.path: f.type for f in definition}
    for field in doc["fields"]:
        field.setdefault("type", types.get(field["path"], "string"))
