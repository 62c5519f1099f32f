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
