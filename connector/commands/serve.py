"""`autotask-connector serve`: the service under gunicorn, on its embedded defaults.

In the parent process, in order: Redis (REDIS_URL, or an embedded redis-server with
append-only data in the data folder), the encryption key and the local account (made on first
start), the Autotask sandbox as its own server process on the next port; then gunicorn runs
the app until Ctrl-C, and everything started is stopped in reverse order. The values a user
needs for the README's curl examples are printed and kept in `{data}/credentials.env`.
"""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit, urlunsplit

from connector import __version__
from connector.config import Settings
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.keys import Keys
from connector.storage.redis_conn import connect
from connector.tenancy.bootstrap import CREDENTIALS_FILE, local_account, remember
from connector.tenancy.secrets_box import ensure_key_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    parser.add_argument(
        "--sandbox-port",
        type=int,
        default=None,
        help="port of the Autotask sandbox (default: --port + 1)",
    )
    parser.add_argument(
        "--sandbox-reseed",
        action="store_true",
        help="wipe the sandbox's data and seed it again before starting it",
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not start the Autotask sandbox beside the service",
    )


def run(args: argparse.Namespace) -> int:
    from connector.server import serve

    settings = Settings.from_env()
    _check_maps(settings)
    parent_pid = os.getpid()  # gunicorn workers fork from here and unwind through `finally`
    embedded: EmbeddedRedis | None = None
    sandbox = None
    try:
        if settings.redis_url:
            redis_display = mask_url(settings.redis_url)
        else:
            embedded = EmbeddedRedis(os.path.join(settings.data_dir, "redis"))
            settings = settings.with_overrides(redis_url=embedded.start())
            redis_display = f"{embedded.display_url}, data in {settings.data_dir}/redis"
        settings, secrets = _local_defaults(settings)
        service_url = f"http://{args.host}:{args.port}/elements/api-v2"
        lines = [
            f"autotask-connector {__version__} on {service_url} ({args.workers} workers)",
            f"Redis: {redis_display}",
        ]
        if not args.no_sandbox:
            sandbox = _start_sandbox(args, settings)
            lines += _sandbox_lines(sandbox.url, settings)
        if secrets is not None:
            remember(settings.data_dir, CONNECTOR_URL=service_url)
            lines += [
                f"Organization secret: {secrets[0]}",
                f"User secret:         {secrets[1]}",
                f"For the README's curl examples: source "
                f"{os.path.join(settings.data_dir, CREDENTIALS_FILE)}",
            ]
        print("\n".join([*lines, "Stop with Ctrl-C."]), flush=True)

        def factory():
            from connector.app import create_app

            return create_app(settings)

        serve(factory, args.host, args.port, workers=args.workers)
    finally:
        if os.getpid() == parent_pid:
            if sandbox is not None:
                sandbox.stop()
                print("Autotask sandbox stopped.", flush=True)
            if embedded is not None:
                embedded.stop()
                print("Embedded Redis stopped.", flush=True)
    return 0


def _check_maps(settings: Settings) -> None:
    """A bad transformation map stops the service before anything starts, naming it."""
    from connector.errors import MappingError
    from connector.mapping import load_maps

    try:
        load_maps(settings.transformations_dir)
    except MappingError as error:
        raise SystemExit(f"autotask-connector: {error.message}") from None


def _local_defaults(settings: Settings) -> tuple[Settings, tuple[str, str] | None]:
    """The encryption key and the local account, made on first start and kept in the data
    folder; no account is made when CONNECTOR_ORG_SECRET/CONNECTOR_USER_SECRET are set."""
    if not settings.secret_key:
        settings = settings.with_overrides(secret_key=ensure_key_file(settings.data_dir))
    if settings.org_secret and settings.user_secret:
        return settings, None
    client = connect(settings.redis_url)
    try:
        secrets = local_account(client, Keys(settings.key_prefix), settings.data_dir)
    finally:
        client.close()
    return settings, secrets


def _start_sandbox(args: argparse.Namespace, settings: Settings):
    """The Autotask sandbox as its own server process: the connector's calls to it never wait
    on the connector's own workers."""
    from connector.sandbox.process import SandboxProcess

    port = args.sandbox_port or args.port + 1
    try:
        return SandboxProcess(
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


def _sandbox_lines(url: str, settings: Settings) -> list[str]:
    from connector.sandbox import DEFAULT_INTEGRATION_CODE, DEFAULT_SECRET, DEFAULT_USERNAME

    remember(
        settings.data_dir,
        SANDBOX_URL=url,
        SANDBOX_USERNAME=DEFAULT_USERNAME,
        SANDBOX_SECRET=DEFAULT_SECRET,
        SANDBOX_INTEGRATION_CODE=DEFAULT_INTEGRATION_CODE,
    )
    return [
        f"Autotask sandbox: {url}, data in {settings.data_dir}/sandbox",
        f"  API user: UserName {DEFAULT_USERNAME}, Secret {DEFAULT_SECRET}, "
        f"ApiIntegrationCode {DEFAULT_INTEGRATION_CODE}",
    ]


def mask_url(url: str) -> str:
    """A URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        user = f"{parts.username}:" if parts.username else ":"
        parts = parts._replace(netloc=f"{user}****@{host}")
    return urlunsplit(parts)
