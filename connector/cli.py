"""The `autotask-connector` command: `serve`, and the subcommands registered below."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from connector import __version__
from connector.config import Settings


def _serve(args: argparse.Namespace) -> int:
    from connector.embedded_redis import EmbeddedRedis
    from connector.server import serve

    settings = Settings.from_env()
    parent_pid = os.getpid()  # gunicorn workers fork from here and unwind through `finally`
    embedded: EmbeddedRedis | None = None
    sandbox = None
    try:
        if settings.redis_url:
            redis_display = _mask_url(settings.redis_url)
        else:
            embedded = EmbeddedRedis(os.path.join(settings.data_dir, "redis"))
            settings = settings.with_overrides(redis_url=embedded.start())
            redis_display = embedded.display_url + f", data in {settings.data_dir}/redis"
        settings = _local_defaults(settings)
        print(
            f"autotask-connector {__version__} listening on http://{args.host}:{args.port}"
            f"/elements/api-v2 ({args.workers} workers)",
            flush=True,
        )
        print(f"Redis: {redis_display}", flush=True)
        if not args.no_sandbox:
            sandbox = _start_sandbox(args, settings)
        print("Stop with Ctrl-C.", flush=True)

        def factory():
            from connector.app import create_app

            return create_app(settings)

        serve(factory, args.host, args.port, workers=args.workers)
    finally:
        if sandbox is not None and os.getpid() == parent_pid:
            sandbox.stop()
            print("Autotask sandbox stopped.", flush=True)
        if embedded is not None and os.getpid() == parent_pid:
            embedded.stop()
            print("Embedded Redis stopped.", flush=True)
    return 0


def _local_defaults(settings: Settings) -> Settings:
    """The encryption key and the local account, made on first start and kept in the data dir."""
    from connector.bootstrap import CREDENTIALS_FILE, local_account
    from connector.keys import Keys
    from connector.redis_conn import connect
    from connector.secrets_box import ensure_key_file

    if not settings.secret_key:
        settings = settings.with_overrides(secret_key=ensure_key_file(settings.data_dir))
    if settings.org_secret and settings.user_secret:
        print("Accounts: the single tenant of CONNECTOR_ORG_SECRET/CONNECTOR_USER_SECRET")
        return settings
    client = connect(settings.redis_url)
    try:
        org_secret, user_secret = local_account(
            client, Keys(settings.key_prefix), settings.data_dir
        )
    finally:
        client.close()
    print(f"Organization secret: {org_secret}")
    print(f"User secret:         {user_secret}")
    print(
        f"(also in {os.path.join(settings.data_dir, CREDENTIALS_FILE)}; "
        f"`source` it to paste the README's curl examples)"
    )
    return settings


def _create_user(args: argparse.Namespace) -> int:
    from connector.accounts import AccountStore
    from connector.embedded_redis import EmbeddedRedis, running_url
    from connector.keys import Keys
    from connector.redis_conn import connect

    settings = Settings.from_env()
    embedded = None
    url = settings.redis_url or running_url(os.path.join(settings.data_dir, "redis"))
    if url is None:
        embedded = EmbeddedRedis(os.path.join(settings.data_dir, "redis"))
        url = embedded.start()
    client = connect(url)
    try:
        account = AccountStore(client, Keys(settings.key_prefix)).create(
            organization_name=args.organization,
            email=args.email,
            first_name=args.first_name,
            last_name=args.last_name,
            organization_id=args.organization_id,
        )
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()
        if embedded is not None:
            embedded.stop()
    print(
        f"Organization {account.organization.id} ({account.organization.name}), "
        f"user {account.user.id} ({account.user.emailAddress})"
    )
    if args.organization_id is None:
        print(f"Organization secret: {account.organization_secret}")
    print(f"User secret:         {account.user_secret}")
    print("These secrets are shown once and stored only as hashes.")
    return 0


def _start_sandbox(args: argparse.Namespace, settings: Settings):
    """The Autotask sandbox as its own server process on port+1, data in the data folder."""
    from connector.sandbox import DEFAULT_INTEGRATION_CODE, DEFAULT_SECRET, DEFAULT_USERNAME
    from connector.sandbox.process import SandboxProcess

    port = args.sandbox_port or args.port + 1
    try:
        sandbox = SandboxProcess(
            args.host,
            port,
            data_dir=os.path.join(settings.data_dir, "sandbox"),
            reseed=args.sandbox_reseed,
        ).start()
    except RuntimeError as error:
        raise SystemExit(
            f"Autotask sandbox: {error}. Choose another port with --sandbox-port, "
            "or leave it out with --no-sandbox."
        ) from None
    print(
        f"Autotask sandbox: {sandbox.url} (zone lookup "
        f"{sandbox.url}/atservicesrest/v1.0/zoneInformation), data in "
        f"{settings.data_dir}/sandbox\n"
        f"  credentials: UserName {DEFAULT_USERNAME}, Secret {DEFAULT_SECRET}, "
        f"ApiIntegrationCode {DEFAULT_INTEGRATION_CODE}",
        flush=True,
    )
    return sandbox


def _sandbox(args: argparse.Namespace) -> int:
    from connector.sandbox.__main__ import run

    return run(args)


def _mask_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        user = f"{parts.username}:" if parts.username else ":"
        parts = parts._replace(netloc=f"{user}****@{host}")
    return urlunsplit(parts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autotask-connector",
        description="A Cloud-Elements-compatible unified CRM connector for Autotask PSA.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service under gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    serve.add_argument(
        "--sandbox-port",
        type=int,
        default=None,
        help="port of the Autotask sandbox (default: --port + 1)",
    )
    serve.add_argument(
        "--sandbox-reseed",
        action="store_true",
        help="wipe the sandbox's data and seed it again before starting it",
    )
    serve.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not start the Autotask sandbox beside the service",
    )
    serve.set_defaults(handler=_serve)

    create_user = commands.add_parser(
        "create-user", help="create a user (and its organization) and print their secrets once"
    )
    create_user.add_argument("--email", default="admin@localhost")
    create_user.add_argument("--first-name", default="Admin")
    create_user.add_argument("--last-name", default="User")
    create_user.add_argument(
        "--organization", default="Default organization", help="name of the new organization"
    )
    create_user.add_argument(
        "--organization-id", type=int, help="add the user to this existing organization instead"
    )
    create_user.set_defaults(handler=_create_user)

    from connector.sandbox.__main__ import add_arguments

    sandbox = commands.add_parser("sandbox", help="run the Autotask sandbox alone")
    add_arguments(sandbox)
    sandbox.set_defaults(handler=_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
