"""The `autotask-connector` command: parse, then hand over to connector.commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from connector import __version__


def build_parser() -> argparse.ArgumentParser:
    from connector.commands import bulk, create_user, instances, serve, worker
    from connector.sandbox import __main__ as sandbox

    parser = argparse.ArgumentParser(
        prog="autotask-connector",
        description="A Cloud-Elements-compatible unified CRM connector for Autotask PSA.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, module, summary in (
        ("serve", serve, "run the service under gunicorn (embedded Redis and sandbox by default)"),
        ("create-user", create_user, "create a user and print its secrets once"),
        ("instances", instances, "list, show, rotate-token, check or delete instances"),
        ("sandbox", sandbox, "run the Autotask sandbox alone"),
        ("worker", worker, "run background jobs (events, formulas, bulk) until stopped"),
        ("bulk", bulk, "bulk download, upload and status through a running connector"),
    ):
        command = commands.add_parser(name, help=summary, description=summary)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
