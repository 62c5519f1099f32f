"""`autotask-connector worker`: run background jobs (events, formulas, bulk) until stopped.

    autotask-connector worker                    # every queue
    autotask-connector worker --queues bulk      # only these kinds (comma-separated)
    autotask-connector worker --burst            # until the queues are empty (tests, cron)

It reads the same environment as the service (REDIS_URL, CONNECTOR_KEY_PREFIX,
CONNECTOR_SECRET_KEY...); run as many as you like, on as many hosts.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queues", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")


def run(args: argparse.Namespace) -> int:
    from connector.jobs.worker import parse_kinds, run_worker

    try:
        kinds = parse_kinds(args.queues)
    except ValueError as error:
        print(f"autotask-connector worker: {error}", file=sys.stderr)
        return 2
    run_worker(kinds, burst=args.burst)
    return 0
