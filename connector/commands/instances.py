"""`autotask-connector instances list|show|rotate-token|check|delete`: instances for operators.

They work against the configured Redis (see redis_target.py) through the same services the
API uses (connector.api.deps builds them), so a rotated token or a deleted instance is refused
at once by every running worker. Tables by default, `--json` for the API's own bodies.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connector.commands.redis_target import redis_url
from connector.config import Settings
from connector.errors import ConnectorError
from connector.tenancy.instance_editor import InstanceEditor
from connector.tenancy.instances import Instance
from connector.tenancy.services import Services
from connector.tenancy.views import instance_view

_ACTIONS = {
    "list": "the instances of every organization (or of one)",
    "show": "one instance, its configuration with secrets masked",
    "rotate-token": "a new token for an instance, printed once; the old one is refused at once",
    "check": "prove an instance's credentials with one Autotask call; zone, threshold, cache",
    "delete": "delete an instance; its token is refused at once",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    for name, summary in _ACTIONS.items():
        action = actions.add_parser(name, help=summary, description=summary)
        if name == "list":
            action.add_argument("--organization", type=int, help="only this organization's")
        else:
            action.add_argument("id", type=int, help="the instance's id")
        if name == "delete":
            action.add_argument("--yes", action="store_true", help="do not ask to confirm")
        action.add_argument("--json", action="store_true", help="print JSON instead of a table")


@contextmanager
def _services() -> Iterator[Services]:
    """The app's services on the operator's Redis, closed afterwards."""
    from connector.app import create_app

    settings = Settings.from_env()
    with redis_url(settings) as url:
        app = create_app(settings.with_overrides(redis_url=url))
        services: Services = app.extensions["connector.deps"]
        try:
            yield services
        finally:
            services.local.close()


def run(args: argparse.Namespace) -> int:
    try:
        with _services() as services:
            return _ACTIONS_RUN[args.action](services, args)
    except ConnectorError as error:
        print(f"autotask-connector: {error.message}", file=sys.stderr)
        return 2


def _instance(services: Services, instance_id: int) -> Instance:
    found = services.instances.get(instance_id)
    if found is None:
        raise ConnectorError(f"no instance {instance_id}; `autotask-connector instances list`")
    return found


def _view(services: Services, instance: Instance, token: str | None = None) -> dict[str, Any]:
    return instance_view(instance, services.accounts.user(instance.userId), token)


def _list(services: Services, args: argparse.Namespace) -> int:
    found = services.instances.list_all()
    if args.organization is not None:
        found = [i for i in found if i.organizationId == args.organization]
    views = [_view(services, i) for i in found]
    if args.json:
        print(json.dumps(views, indent=2))
        return 0
    rows = [
        [
            str(i.id),
            str(i.organizationId),
            i.name,
            ",".join(i.tags),
            i.zone.get("name") or i.zone.get("url") or "",
            "disabled" if i.disabled else "enabled",
            "on" if i.cachingEnabled else "off",
            i.createdDate,
        ]
        for i in found
    ]
    headers = ["id", "org", "name", "tags", "zone", "state", "cache", "created"]
    print(table(headers, rows) if rows else "No instances.")
    return 0


def _show(services: Services, args: argparse.Namespace) -> int:
    view = _view(services, _instance(services, args.id))
    if args.json:
        print(json.dumps(view, indent=2))
        return 0
    flat = {k: v for k, v in view.items() if not isinstance(v, dict | list)}
    flat["tags"] = ",".join(view["tags"])
    flat["zone"] = view["zone"].get("url") or ""
    flat["user"] = view["user"].get("emailAddress") or str(view["user"].get("id"))
    flat.update({f"configuration {k}": v for k, v in view["configuration"].items()})
    print(table(["field", "value"], [[k, str(v)] for k, v in flat.items()]))
    return 0


def _rotate(services: Services, args: argparse.Namespace) -> int:
    instance = _instance(services, args.id)
    token = _editor(services).rotate_token(instance)
    if args.json:
        print(json.dumps(_view(services, instance, token), indent=2))
    else:
        print(f"New token of instance {instance.id} ({instance.name}): {token}")
        print("It is shown once and stored only as a hash; the old token is refused from now.")
    return 0


def _delete(services: Services, args: argparse.Namespace) -> int:
    instance = _instance(services, args.id)
    if not args.yes:
        answer = input(f"Delete instance {instance.id} ({instance.name})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    _editor(services).delete(instance)
    print(json.dumps({"id": instance.id, "deleted": True}) if args.json else "Deleted.")
    return 0


def _check(services: Services, args: argparse.Namespace) -> int:
    from connector.commands.instance_check import check

    report = check(services, _instance(services, args.id))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(["check", "result"], [[k, str(v)] for k, v in report.items()]))
    return 0 if report["credentials"] == "ok" else 1


def _editor(services: Services) -> InstanceEditor:
    return InstanceEditor(
        store=services.instances, box=services.box, clients=services.clients, hooks=services.hooks
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns under a header line."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines
    )


_ACTIONS_RUN = {
    "list": _list,
    "show": _show,
    "rotate-token": _rotate,
    "check": _check,
    "delete": _delete,
}
