"""The rules of definitions and transformations: create, replace, delete, and what is in use.

- A definition or transformation is created once (POST; again is 409) and replaced by PUT (a
  missing one is 404).
- A transformation maps fields of the definition it applies to (see `connector.virtual.inherit`):
  without one it is 404, a field outside it is 400. What its fields name on the base is checked
  by the `check` the caller passes (it needs the hub's registry and, for an instance, Autotask).
- Deleting or replacing a definition that a transformation still uses (at the organization or
  at any of its instances) is 409, naming who uses what; the check and the write run in one
  WATCH/MULTI transaction, so a transformation saved meanwhile cannot slip past it.
- Every change clears the hub cache of the instances it affects (those with caching on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from connector.errors import ConflictError, NotFoundError, ValidationError
from connector.hub.cache import HubCache
from connector.tenancy.instances import InstanceStore
from connector.virtual import views
from connector.virtual.inherit import (
    INSTANCE,
    ORG,
    Stored,
    effective_definition,
    resolve,
    same_vendor,
    transformation_view,
)
from connector.virtual.model import VirtualMap, inherits
from connector.virtual.store import Reader, Scope, VdrStore, instance_scope, org_scope

DEFINITION, TRANSFORMATION = "definition", "transformation"
Check = Callable[[VirtualMap], None]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class VdrService:
    def __init__(self, store: VdrStore, instances: InstanceStore) -> None:
        self.store = store
        self.instances = instances

    # -- reading ----------------------------------------------------------------------------
    def definition(self, scope: Scope, name: str) -> dict[str, Any]:
        found = self.store.definition(scope, name)
        if found is None:
            raise NotFoundError(f"No {_level(scope)} definition named '{name}'")
        return found

    def transformation(self, scope: Scope, org_id: int, name: str) -> dict[str, Any]:
        view = transformation_view(self._stored(scope, org_id, name), scope.level)
        if view is None:
            raise NotFoundError(f"No {_level(scope)} transformation named '{name}'")
        return view

    def transformations(self, scope: Scope, org_id: int) -> dict[str, dict[str, Any]]:
        instance_id = scope.owner if scope.level == INSTANCE else None
        views = {}
        for name, stored in self.store.stored_all(org_id, instance_id).items():
            view = transformation_view(stored, scope.level)
            if view is not None:
                views[name] = view
        return views

    def _stored(self, scope: Scope, org_id: int, name: str, reader: Reader = None) -> Stored:
        if reader is None:
            return self.store.stored(org_id, scope.owner if scope.level == INSTANCE else None, name)
        org = org_scope(org_id)
        own = scope if scope.level == INSTANCE else None
        return Stored(
            name,
            self.store.definition(org, name, reader),
            self.store.definition(own, name, reader) if own else None,
            self.store.transformation(org, name, reader),
            self.store.transformation(own, name, reader) if own else None,
        )

    # -- definitions ------------------------------------------------------------------------
    def create_definitions(
        self, scope: Scope, org_id: int, docs: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        stored = {name: _definition_doc(doc, scope) for name, doc in docs.items()}

        def work(reader: Reader):
            taken = [n for n in stored if self.store.definition(scope, n, reader) is not None]
            if taken:
                raise ConflictError(
                    f"{_level(scope).capitalize()} definition(s) already exist: "
                    f"{', '.join(sorted(taken))}; PUT replaces one"
                )

            def writes(pipe: Any) -> None:
                for name, doc in stored.items():
                    self.store.put(pipe, DEFINITION, scope, name, doc)

            return writes

        self.store.transaction(lambda _: [self.store.definitions_key(scope)], work)
        self._changed(scope, org_id)
        return stored

    def replace_definition(
        self, scope: Scope, org_id: int, name: str, doc: dict[str, Any]
    ) -> dict[str, Any]:
        new = _definition_doc(doc, scope)
        self._change_definitions(scope, org_id, {name: new}, must_exist=True)
        return new

    def delete_definitions(self, scope: Scope, org_id: int, names: Iterable[str] | None) -> None:
        """Delete the named definitions (None: all of the scope's)."""
        wanted = list(names) if names is not None else list(self.store.definitions(scope))
        self._change_definitions(scope, org_id, dict.fromkeys(wanted), must_exist=names is not None)

    def _change_definitions(
        self,
        scope: Scope,
        org_id: int,
        changes: dict[str, dict[str, Any] | None],
        *,
        must_exist: bool,
    ) -> None:
        """Write (a doc) or delete (None) definitions, refusing what would strand a mapping."""
        instance_ids: list[int] = []

        def watched(reader: Reader) -> list[str]:
            # first the version: a transformation saved while we look for the instances that
            # hold one makes the whole change run again
            reader.watch(self.store.version_key(org_id))
            instance_ids[:] = self._dependents(scope, org_id)
            scopes = [org_scope(org_id)] + [instance_scope(i) for i in instance_ids]
            return self.store.keys_of(scopes)

        def work(reader: Reader):
            problems: list[str] = []
            for name, doc in changes.items():
                if must_exist and self.store.definition(scope, name, reader) is None:
                    raise NotFoundError(f"No {_level(scope)} definition named '{name}'")
                problems += self._strands(scope, org_id, name, doc, instance_ids, reader)
            if problems:
                raise ConflictError(
                    "The definition is still used by a transformation: " + "; ".join(problems)
                )

            def writes(pipe: Any) -> None:
                self.store.remove(pipe, DEFINITION, scope, [n for n, d in changes.items() if not d])
                for changed, doc in changes.items():
                    if doc is not None:
                        self.store.put(pipe, DEFINITION, scope, changed, doc)

            return writes

        self.store.transaction(watched, work)
        self._changed(scope, org_id)

    def _dependents(self, scope: Scope, org_id: int) -> list[int]:
        if scope.level == INSTANCE:
            return [scope.owner]
        org_instances = [i.id for i in self.instances.list_for_org(org_id)]
        return self.store.instances_holding(org_instances)

    def _strands(
        self,
        scope: Scope,
        org_id: int,
        name: str,
        doc: dict[str, Any] | None,
        instance_ids: list[int],
        reader: Reader,
    ) -> list[str]:
        """Who would map fields the definition no longer has, if `doc` replaced it."""
        views: list[tuple[str, Stored, bool]] = []
        if scope.level == ORG:
            org = self._stored(scope, org_id, name, reader)
            views.append(
                ("the organization transformation", _with(org, ORG, DEFINITION, doc), False)
            )
            for instance_id in instance_ids:
                seen = self._stored(instance_scope(instance_id), org_id, name, reader)
                who = f"instance {instance_id}'s transformation"
                views.append((who, _with(seen, ORG, DEFINITION, doc), True))
        else:
            seen = self._stored(scope, org_id, name, reader)
            who = "this instance's transformation"
            views.append((who, _with(seen, INSTANCE, DEFINITION, doc), True))
        problems = []
        for who, stored, instance_level in views:
            missing = unmapped_paths(stored, instance_level=instance_level)
            if missing is not None and (missing or not effective_definition(stored)):
                what = ", ".join(sorted(missing)) if missing else "its definition"
                problems.append(f"{who} of '{name}' maps {what}")
        return problems

    # -- transformations --------------------------------------------------------------------
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
        doc = _transformation_doc(body, scope, name)
        before = self._stored(scope, org_id, name)  # an organization scope reads no instance
        after = _with(before, scope.level, TRANSFORMATION, doc)
        self._check_transformation(scope, name, before, after, create=create)
        _fill_types(doc, effective_definition(after))
        vmap = resolve(after)
        assert vmap is not None
        check(vmap)

        def work(reader: Reader):
            now = self._stored(scope, org_id, name, reader)
            self._check_transformation(
                scope, name, now, _with(now, scope.level, TRANSFORMATION, doc), create=create
            )

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
                f"A {_level(scope)} transformation named '{name}' already exists; PUT replaces it"
            )
        if not create and existing is None:
            raise NotFoundError(f"No {_level(scope)} transformation named '{name}'")
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
                    raise NotFoundError(f"No {_level(scope)} transformation named '{name}'")
        else:
            names = list(self.store.transformations(scope))
        with self.store.redis.pipeline() as pipe:
            self.store.remove(pipe, TRANSFORMATION, scope, names)
            self.store.bump(pipe, org_id)
            pipe.execute()
        self.store.forget(names)
        self._changed(scope, org_id)

    # -- caches -----------------------------------------------------------------------------
    # -- views across levels --------------------------------------------------------------
    def common_resources(self, org_id: int, instance_ids: list[int]) -> dict[str, Any]:
        """The organization's names and each instance's own, for GET /common-resources."""
        holding = self.store.instances_holding(instance_ids)
        org_view = self.store.stored_all(org_id, None)
        instance_views = {i: self.store.stored_all(org_id, i) for i in holding}
        return views.common_resources(org_view, instance_views, instance_ids)

    def virtual_maps(self, org_id: int, instance_id: int) -> dict[str, VirtualMap]:
        """The virtual resources one instance serves (both levels merged)."""
        found = {}
        for name, stored in self.store.stored_all(org_id, instance_id).items():
            vmap = resolve(stored)
            if vmap is not None:
                found[name] = vmap
        return found

    def _changed(self, scope: Scope, org_id: int) -> None:
        """Cached hub answers may hold the old shape: clear the caches that are on."""
        if scope.level == INSTANCE:
            found = self.instances.get(scope.owner)
            affected = [found] if found else []
        else:
            affected = self.instances.list_for_org(org_id)
        for instance in affected:
            if instance.cachingEnabled:
                HubCache(self.store.redis, self.store.keys, instance.id, enabled=True).clear()


def unmapped_paths(stored: Stored, *, instance_level: bool) -> set[str] | None:
    """Paths the applicable transformation maps that its definition lacks; None when no
    transformation applies at that level."""
    if instance_level:
        xf = stored.instance_transformation
        if xf is None:
            return None
        mapped = {f["path"] for f in xf["fields"]}
        if stored.uses_org and stored.org_transformation:
            mapped |= {f["path"] for f in stored.org_transformation["fields"]}
        view = stored
    else:
        if stored.org_transformation is None:
            return None
        mapped = {f["path"] for f in stored.org_transformation["fields"]}
        view = _org_only(stored)
    return mapped - {f.path for f in effective_definition(view)}


def _org_only(stored: Stored) -> Stored:
    return Stored(stored.name, stored.org_definition, None, stored.org_transformation, None)


def _with(stored: Stored, level: str, kind: str, doc: dict[str, Any] | None) -> Stored:
    attr = ("org_" if level == ORG else "instance_") + kind
    values = {
        "org_definition": stored.org_definition,
        "instance_definition": stored.instance_definition,
        "org_transformation": stored.org_transformation,
        "instance_transformation": stored.instance_transformation,
    }
    values[attr] = doc
    return Stored(stored.name, **values)


def _level(scope: Scope) -> str:
    return "organization" if scope.level == ORG else f"instance {scope.owner}"


def _check_level(body: dict[str, Any], scope: Scope, what: str) -> None:
    given = body.get("level")
    if given is not None and given != scope.level:
        raise ValidationError(
            f"Invalid {what}: level '{given}' does not fit this path (it is '{scope.level}' level)"
        )


def _definition_doc(body: dict[str, Any], scope: Scope) -> dict[str, Any]:
    _check_level(body, scope, "definition")
    fields = [{k: f[k] for k in ("path", "type", "displayName") if k in f} for f in body["fields"]]
    return {"fields": fields, "level": scope.level, "updatedDate": _now()}


def _transformation_doc(body: dict[str, Any], scope: Scope, name: str) -> dict[str, Any]:
    _check_level(body, scope, "transformation")
    fields = []
    for raw in body["fields"]:
        field = {k: raw[k] for k in ("path", "type", "vendorPath", "vendorType") if k in raw}
        field["configuration"] = [_config(c) for c in raw.get("configuration") or []]
        fields.append(field)
    return {
        "level": scope.level,
        "objectName": name,
        "vendorName": body["vendorName"],
        "startDate": _now(),
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
