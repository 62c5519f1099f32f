"""The rules of definitions: create, replace, delete, and what still uses them.

- A definition is created once (POST; again is 409) and replaced by PUT (a missing one is 404).
- Deleting or replacing a definition that a transformation still uses (at the organization or
  at any of its instances) is 409, naming who uses what; the check and the write run in one
  WATCH/MULTI transaction, so a transformation saved meanwhile cannot slip past it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connector.errors import ConflictError, NotFoundError
from connector.virtual.documents import (
    DEFINITION,
    Documents,
    check_level,
    level_name,
    now,
    unmapped_paths,
    with_doc,
)
from connector.virtual.inherit import INSTANCE, ORG, Stored, effective_definition
from connector.virtual.store import Reader, Scope, instance_scope, org_scope


class Definitions(Documents):
    def definition(self, scope: Scope, name: str) -> dict[str, Any]:
        found = self.store.definition(scope, name)
        if found is None:
            raise NotFoundError(f"No {level_name(scope)} definition named '{name}'")
        return found

    # -- changes ------------------------------------------------------------------------
    def create_definitions(
        self, scope: Scope, org_id: int, docs: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        stored = {name: definition_doc(doc, scope) for name, doc in docs.items()}

        def work(reader: Reader):
            taken = [n for n in stored if self.store.definition(scope, n, reader) is not None]
            if taken:
                raise ConflictError(
                    f"{level_name(scope).capitalize()} definition(s) already exist: "
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
        new = definition_doc(doc, scope)
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
                    raise NotFoundError(f"No {level_name(scope)} definition named '{name}'")
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
                ("the organization transformation", with_doc(org, ORG, DEFINITION, doc), False)
            )
            for instance_id in instance_ids:
                seen = self._stored(instance_scope(instance_id), org_id, name, reader)
                who = f"instance {instance_id}'s transformation"
                views.append((who, with_doc(seen, ORG, DEFINITION, doc), True))
        else:
            seen = self._stored(scope, org_id, name, reader)
            who = "this instance's transformation"
            views.append((who, with_doc(seen, INSTANCE, DEFINITION, doc), True))
        problems = []
        for who, stored, instance_level in views:
            missing = unmapped_paths(stored, instance_level=instance_level)
            if missing is not None and (missing or not effective_definition(stored)):
                what = ", ".join(sorted(missing)) if missing else "its definition"
                problems.append(f"{who} of '{name}' maps {what}")
        return problems


def definition_doc(body: dict[str, Any], scope: Scope) -> dict[str, Any]:
    check_level(body, scope, "definition")
    fields = [{k: f[k] for k in ("path", "type", "displayName") if k in f} for f in body["fields"]]
    return {"fields": fields, "level": scope.level, "updatedDate": now()}
