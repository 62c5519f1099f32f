"""`autotask-connector serve`: the service under gunicorn, on its embedded defaults.

In the parent process, in order: Redis (REDIS_URL, or an embedded redis-server with
append-only data in the data folder, supervised: restarted when it dies, and if it cannot be,
`serve` stops and exits with status 3 so that its own supervisor restarts everything), the
encryption key and the local account (made on first start), the Autotask sandbox as its own
server process on the next port, one job worker (`autotask-connector worker`, every queue);
then gunicorn runs the app until Ctrl-C, and everything started is stopped in reverse order.
The values a user needs for the README's curl examples are printed and kept in
`{data}/credentials.env`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from connector import __version__
from connector.commands import preflight
from connector.commands.preflight import StartupError
from connector.commands.worker import add_rq_log_level
from connector.config import Settings
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.keys import Keys
from connector.storage.redis_conn import connect
from connector.storage.redis_supervisor import RedisSupervisor
from connector.tenancy.bootstrap import CREDENTIALS_FILE, local_account, read_env_file, remember
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
    add_rq_log_level(parser)  # the job worker's
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not start the Autotask sandbox beside the service",
    )


EXIT_REDIS_LOST = 3  # the embedded Redis died and could not be restarted


def run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(rq_log_level=args.rq_log_level)
    except ValueError as error:  # a setting out of its rules; the message names it
        print(f"autotask-connector: {error}", file=sys.stderr, flush=True)
        return 2
    try:
        lock = _preflight(args, settings)
    except StartupError as error:
        print(f"autotask-connector: {error}", file=sys.stderr, flush=True)
        return 2
    try:
        return _run(args, settings)
    except StartupError as error:
        print(f"autotask-connector: {error}", file=sys.stderr, flush=True)
        return 2
    finally:
        lock.close()


def _preflight(args: argparse.Namespace, settings: Settings):
    """Every check that can fail, before anything is printed, made or started; the data
    folder's lock, held for the run."""
    preflight.check_port(args.host, args.port, "the service's", "--port")
    if not args.no_sandbox:
        sandbox_port = args.sandbox_port or args.port + 1
        preflight.check_port(args.host, sandbox_port, "the sandbox's", "--sandbox-port")
    preflight.check_maps(settings.transformations_dir)
    if settings.redis_url:
        preflight.check_redis(settings.redis_url, mask_url(settings.redis_url))
    return preflight.lock_data_dir(settings.data_dir)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from connector.observability import multiproc

    # before anything imports prometheus-client: every worker then writes its samples here
    multiproc.prepare(os.path.join(settings.data_dir, "metrics"))
    from connector.server import serve

    parent_pid = os.getpid()  # gunicorn workers fork from here and unwind through `finally`
    embedded: EmbeddedRedis | None = None
    supervisor: RedisSupervisor | None = None
    sandbox = None
    worker = None
    credentials = os.path.join(settings.data_dir, CREDENTIALS_FILE)
    try:
        if settings.redis_url:
            redis_display = mask_url(settings.redis_url)
        else:
            embedded = EmbeddedRedis(os.path.join(settings.data_dir, "redis"))
            try:
                settings = settings.with_overrides(redis_url=embedded.start())
            except RuntimeError as error:
                raise StartupError(f"the embedded Redis did not start: {error}") from None
            supervisor = RedisSupervisor(
                embedded, on_give_up=lambda: os.kill(parent_pid, signal.SIGTERM)
            ).start()
            redis_display = f"{embedded.display_url}, data in {settings.data_dir}/redis"
        settings, secrets, made = _local_defaults(settings)
        service_url = f"http://{args.host}:{args.port}/elements/api-v2"
        lines = [
            f"autotask-connector {__version__} on {service_url} ({args.workers} workers)",
            f"Redis: {redis_display}",
            f"API docs: {service_url}/docs; metrics: http://{args.host}:{args.port}/metrics",
        ]
        if not args.no_sandbox:
            sandbox = _start_sandbox(args, settings)
            settings = allow_sandbox(settings, sandbox.url)
            lines += _sandbox_lines(sandbox.url, settings)
        if secrets is not None:
            remember(settings.data_dir, CONNECTOR_URL=service_url)
            if made:  # shown once; later starts point at the file that keeps them
                lines += [
                    f"Organization secret: {secrets[0]}",
                    f"User secret:         {secrets[1]}",
                ]
            lines.append(f"Secrets and URLs for the README's examples: source {credentials}")
        from connector.jobs.process import WorkerProcess

        worker = WorkerProcess(settings).start()
        lines.append(f"Job worker: pid {worker.pid}, every queue (more: autotask-connector worker)")
        print("\n".join([*lines, "Stop with Ctrl-C."]), flush=True)

        def factory():
            from connector.app import create_app

            return create_app(settings)

        try:
            serve(
                factory,
                args.host,
                args.port,
                workers=args.workers,
                threads=settings.web_threads,
                child_exit=multiproc.child_exit,
            )
        except SystemExit:
            if supervisor is not None and supervisor.gave_up and os.getpid() == parent_pid:
                print("autotask-connector: the embedded Redis was lost; stopped", file=sys.stderr)
                return EXIT_REDIS_LOST
            raise
    finally:
        if os.getpid() == parent_pid:
            if supervisor is not None:
                supervisor.stop()
            if worker is not None:
                worker.stop()
                print("Job worker stopped.", flush=True)
            if sandbox is not None:
                sandbox.stop()
                print("Autotask sandbox stopped.", flush=True)
            if embedded is not None:
                embedded.stop()
                print("Embedded Redis stopped.", flush=True)
    return 0


def _local_defaults(
    settings: Settings,
) -> tuple[Settings, tuple[str, str] | None, bool]:
    """The encryption key and the local account, made on first start and kept in the data
    folder; no account is made when CONNECTOR_ORG_SECRET/CONNECTOR_USER_SECRET are set.
    The flag says whether the secrets were made just now."""
    if not settings.secret_key:
        settings = settings.with_overrides(secret_key=ensure_key_file(settings.data_dir))
    if settings.org_secret and settings.user_secret:
        return settings, None, False
    path = os.path.join(settings.data_dir, CREDENTIALS_FILE)
    known = os.path.exists(path) and "USER_SECRET" in read_env_file(Path(path))
    client = connect(settings.redis_url)
    try:
        secrets = local_account(client, Keys(settings.key_prefix), settings.data_dir)
    finally:
        client.close()
    return settings, secrets, not known


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
        raise StartupError(
            f"the Autotask sandbox did not start: {error}; choose another port with "
            "--sandbox-port, or leave it out with --no-sandbox"
        ) from None


def allow_sandbox(settings: Settings, sandbox_url: str) -> Settings:
    """The settings with the sandbox `serve` started added to AUTOTASK_ALLOWED_HOSTS (plain
    http, that host and port only): the operator's choice, made by starting it."""
    from connector.outbound import AUTOTASK_DEFAULT_HOSTS

    hosts = settings.autotask_allowed_hosts.strip() or ",".join(AUTOTASK_DEFAULT_HOSTS)
    return settings.with_overrides(autotask_allowed_hosts=f"{hosts},{sandbox_url.rstrip('/')}")


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
