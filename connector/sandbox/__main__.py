"""`python -m connector.sandbox`: serve the sandbox alone, under gunicorn.

The database is prepared (and seeded when empty, or with --reseed) once, in this process,
before the workers start; every worker then opens the same SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector.sandbox.settings import (
    DEFAULT_INTEGRATION_CODE,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    DEFAULTS,
    SandboxConfig,
)

DEFAULT_RECORDS = 500  # 500 companies: 2,000 contacts and 500 opportunities and tickets
DATABASE_NAME = "sandbox.sqlite3"


def add_arguments(parser: argparse.ArgumentParser, *, port: int | None = 8001) -> None:
    """The options `autotask-connector sandbox` and `python -m connector.sandbox` share."""
    parser.add_argument("--host", default="127.0.0.1")
    if port is not None:
        parser.add_argument("--port", type=int, default=port)
    parser.add_argument(
        "--records",
        type=int,
        default=DEFAULT_RECORDS,
        help="companies to seed; contacts, tickets... scale from it",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder of the SQLite database (default: "
        "$CONNECTOR_DATA_DIR/sandbox, else .connector/sandbox)",
    )
    parser.add_argument(
        "--memory", action="store_true", help="keep the data in memory (one worker; gone at exit)"
    )
    parser.add_argument("--reseed", action="store_true", help="wipe the data and seed again")
    parser.add_argument("--seed", type=int, default=SandboxConfig.seed)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--api-user",
        action="append",
        default=[],
        metavar="USERNAME:SECRET",
        help="another API user (repeatable)",
    )
    parser.add_argument(
        "--integration-code",
        action="append",
        default=[],
        metavar="CODE",
        help="another accepted integration code (repeatable)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="a tunable, e.g. threshold=100 or latency_at_50=0.05",
    )
    parser.add_argument("--quiet", action="store_true", help="print no banner")


def default_data_dir() -> str:
    return os.path.join(os.environ.get("CONNECTOR_DATA_DIR") or ".connector", "sandbox")


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    settings: dict[str, Any] = {}
    for item in args.set:
        name, _, raw = item.partition("=")
        try:
            settings[name] = json.loads(raw)
        except ValueError:
            settings[name] = raw
    if args.api_user:
        users = list(DEFAULTS["api_users"])
        for item in args.api_user:
            username, _, secret = item.partition(":")
            users.append({"username": username, "secret": secret, "resourceID": None})
        settings["api_users"] = users
    if args.integration_code:
        settings["integration_codes"] = [DEFAULT_INTEGRATION_CODE, *args.integration_code]
    database = None
    if not args.memory:
        database = str(Path(args.data_dir or default_data_dir()) / DATABASE_NAME)
    return SandboxConfig(
        database=database,
        records=args.records,
        reseed=args.reseed,
        seed=args.seed,
        settings=settings,
    )


def banner(url: str, config: SandboxConfig) -> str:
    where = config.database or "memory"
    return (
        f"Autotask sandbox on {url} (zone lookup {url}/atservicesrest/v1.0/zoneInformation), "
        f"data in {where}\n"
        f"  credentials: UserName {DEFAULT_USERNAME}, Secret {DEFAULT_SECRET}, "
        f"ApiIntegrationCode {DEFAULT_INTEGRATION_CODE}"
    )


def run(args: argparse.Namespace) -> int:
    from connector.sandbox.app import create_sandbox_app, prepare_store
    from connector.sandbox.catalog import default_catalog
    from connector.sandbox.store import Store
    from connector.server import serve

    config = config_from_args(args)
    workers = args.workers
    if config.database is None:
        workers = 1  # a memory database lives in one process

        def factory():
            return create_sandbox_app(config)
    else:
        prepare_store(config).close()

        def factory():
            return create_sandbox_app(config, store=Store(config.database, default_catalog()))

    if not args.quiet:
        print(banner(f"http://{args.host}:{args.port}", config), flush=True)
    serve(factory, args.host, args.port, workers=workers, threads=args.threads)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connector.sandbox",
        description="A local Autotask REST API to develop against.",
    )
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
