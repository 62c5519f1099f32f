"""`autotask-connector worker`: run background jobs (events, formulas, bulk) until stopped.

    autotask-connector worker                    # every queue
    autotask-connector worker --queues bulk      # only these kinds (comma-separated)
    autotask-connector worker --burst            # until the queues are empty (tests, cron)
    autotask-connector worker --rq-log-level INFO  # also RQ's line for every job run

It reads the same environment as the service (REDIS_URL, CONNECTOR_KEY_PREFIX,
CONNECTOR_SECRET_KEY...); run as many as you like, on as many hosts.
"""

from __future__ import annotations

import argparse
import sys

from connector.config import LOG_LEVELS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queues", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    add_rq_log_level(parser)


def add_rq_log_level(parser: argparse.ArgumentParser) -> None:
    """`--rq-log-level`, for `worker` and for the worker `serve` starts."""
    parser.add_argument(
        "--rq-log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default=None,
        help="RQ's own job lines (default: RQ_LOG_LEVEL, else WARNING; INFO: every job run)",
    )


def run(args: argparse.Namespace) -> int:
    from connector.observability import multiproc

    multiproc.join()  # before prometheus-client is imported: its jobs count beside the web's
    from connector.jobs.worker import parse_kinds, run_worker

    try:
        kinds = parse_kinds(args.queues)
    except ValueError as error:
        print(f"autotask-connector worker: {error}", file=sys.stderr)
        return 2
    try:
        run_worker(kinds, burst=args.burst, rq_log_level=args.rq_log_level)
    finally:
        multiproc.leave()
    return 0
