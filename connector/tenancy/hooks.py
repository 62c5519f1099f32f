"""Instance hooks: what other features do when an instance changes or is deleted.

Tenancy knows no feature that keeps data per instance (the hub's cache, virtual-resource
documents, event subscriptions and bulk jobs). Each subscribes a listener once, in the
composition root (connector.api.deps); the instance editor notifies them after the store holds
the change (creation, settings, credentials, enabling and disabling). Listeners run in the order
they subscribed and receive the instance id; those of `on_deleting` run just before a deletion
and receive the instance itself, while its credentials still exist (to undo what was made in
Autotask for it, such as webhooks). Checkers run before the store holds a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.tenancy.instances import Instance

Listener = Callable[[int], None]
InstanceListener = Callable[[Any], None]
# checks an instance about to be stored (raising a 400 naming the key), may complete it (a
# key made for the user) and answers the values to show this once
Checker = Callable[["Instance"], dict[str, str]]


class InstanceHooks:
    def __init__(self) -> None:
        self._changed: list[Listener] = []
        self._deleted: list[Listener] = []
        self._deleting: list[InstanceListener] = []
        self._checks: list[Checker] = []

    def on_check(self, checker: Checker) -> None:
        """Called before an instance is stored (created or changed)."""
        self._checks.append(checker)

    def check(self, instance: Instance) -> dict[str, str]:
        """Run the checkers; the values they made, to be shown this once."""
        revealed: dict[str, str] = {}
        for checker in self._checks:
            revealed.update(checker(instance))
        return revealed

    def on_change(self, listener: Listener) -> None:
        """Called after an instance's settings or credentials changed."""
        self._changed.append(listener)

    def on_delete(self, listener: Listener) -> None:
        """Called after an instance was deleted: drop what is kept for it."""
        self._deleted.append(listener)

    def on_deleting(self, listener: InstanceListener) -> None:
        """Called with the instance before it is deleted; must not raise."""
        self._deleting.append(listener)

    def deleting(self, instance: Any) -> None:
        for listener in self._deleting:
            listener(instance)

    def changed(self, instance_id: int) -> None:
        for listener in self._changed:
            listener(instance_id)

    def deleted(self, instance_id: int) -> None:
        for listener in self._deleted:
            listener(instance_id)
