"""`autotask-connector bulk download|upload|status`: bulk jobs from a terminal, with progress.

It calls a running connector over HTTP, as any client would, with the Element token's
Authorization. `--url` defaults to $CONNECTOR_URL and the secrets to $USER_SECRET, $ORG_SECRET
and $ELEMENT_TOKEN (what `serve` writes to .connector/credentials.env, plus an instance
token), so secrets need not appear on the command line.

    autotask-connector bulk download "select * from contacts where active = true" -o c.ndjson
    autotask-connector bulk upload contacts rows.csv --identifier emails.address -o result.ndjson
    autotask-connector bulk status 42 --wait
    autotask-connector bulk worker          # runs the jobs (REDIS_URL, CONNECTOR_SECRET_KEY...)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import requests
from tqdm import tqdm

DEFAULT_URL = "http://127.0.0.1:8000/elements/api-v2"
TERMINAL = ("COMPLETED", "ERROR", "ABORTED", "CANCELLED")
POLL_SECONDS = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None, help="the connector's base URL ($CONNECTOR_URL)")
    parser.add_argument("--hub", default="crm", choices=["crm", "helpdesk"])
    actions = parser.add_subparsers(dest="action", required=True)
    down = actions.add_parser("download", help="run a bulk query and save its result")
    down.add_argument("query", help="select <fields|*> from <resource> [where ...] [order by ...]")
    down.add_argument("-o", "--output", help="file to write (default: standard output)")
    down.add_argument("--csv", action="store_true", help="CSV instead of NDJSON")
    up = actions.add_parser("upload", help="write a file's rows and save the row results")
    up.add_argument("resource")
    up.add_argument("file", help="CSV, a JSON array (.json) or NDJSON (.ndjson)")
    up.add_argument("--identifier", help="identifierFieldName: update the record it matches")
    up.add_argument("-o", "--output", help="file for the row results (default: none)")
    status = actions.add_parser("status", help="a job's status (and wait for its end)")
    status.add_argument("id", type=int)
    status.add_argument("--wait", action="store_true", help="follow it to its end")
    actions.add_parser("worker", help="run bulk jobs: an RQ worker on the bulk queue")


class Api:
    def __init__(self, args: argparse.Namespace) -> None:
        self.base = (args.url or os.environ.get("CONNECTOR_URL") or DEFAULT_URL).rstrip("/")
        self.hub = f"{self.base}/hubs/{args.hub}/bulk"
        parts = {
            "User": os.environ.get("USER_SECRET"),
            "Organization": os.environ.get("ORG_SECRET"),
            "Element": os.environ.get("ELEMENT_TOKEN"),
        }
        missing = [
            f"${n}"
            for n, v in zip(
                ("USER_SECRET", "ORG_SECRET", "ELEMENT_TOKEN"), parts.values(), strict=True
            )
            if not v
        ]
        if missing:
            raise SystemExit(f"bulk: set {', '.join(missing)} (the secrets are never arguments)")
        self.headers = {"Authorization": ", ".join(f"{k} {v}" for k, v in parts.items())}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(
            method, f"{self.hub}/{path}", headers=headers, timeout=60, **kwargs
        )
        if response.status_code >= 400:
            try:
                message = response.json().get("message")
            except ValueError:
                message = response.text[:200]
            raise SystemExit(f"bulk: {response.status_code}: {message}")
        return response


def follow(api: Api, job_id: int, *, stream: Any = sys.stderr) -> dict[str, Any]:
    """Poll the job, drawing a progress bar, until it ends; its last status."""
    status = api.call("GET", f"{job_id}/status").json()
    bar = tqdm(total=status.get("totalCount"), unit="rows", file=stream, desc=f"job {job_id}")
    try:
        while True:
            done = status["recordsCount"] + status["recordsFailedCount"]
            done = max(done, status.get("recordsRead", 0))
            bar.total = status.get("totalCount") or bar.total
            bar.update(done - bar.n)
            bar.set_postfix_str(status["status"].lower(), refresh=True)
            if status["status"] in TERMINAL:
                return status
            time.sleep(POLL_SECONDS)
            status = api.call("GET", f"{job_id}/status").json()
    finally:
        bar.close()


def save(api: Api, job_id: int, resource: str, output: str | None, accept: str) -> None:
    response = api.call("GET", f"{job_id}/{resource}", headers={"Accept": accept}, stream=True)
    target = open(output, "wb") if output else sys.stdout.buffer
    try:
        for piece in response.iter_content(64 * 1024):
            target.write(piece)
    finally:
        if output:
            target.close()
        else:
            target.flush()


def summary(status: dict[str, Any]) -> str:
    keys = ("status", "recordsCount", "recordsFailedCount", "upstreamCalls")
    extra = ("createdCount", "updatedCount", "unchangedCount", "statusMessage")
    return json.dumps({k: status[k] for k in (*keys, *extra) if status.get(k) not in (None, "")})


def run(args: argparse.Namespace) -> int:
    if args.action == "worker":
        from connector.jobs.worker import run_worker

        run_worker(("bulk",))  # an alias of `autotask-connector worker --queues bulk`
        return 0
    api = Api(args)
    if args.action == "status":
        status = follow(api, args.id) if args.wait else api.call("GET", f"{args.id}/status").json()
        print(json.dumps(status, indent=2))
        return 0 if status["status"] in ("COMPLETED", "RUNNING", "CREATED") else 1
    if args.action == "download":
        job = api.call("POST", "query", params={"q": args.query}).json()
        status = follow(api, job["id"])
        save(
            api,
            job["id"],
            status["objectName"],
            args.output,
            "text/csv" if args.csv else "application/x-ndjson",
        )
    else:
        meta = {"identifierFieldName": args.identifier} if args.identifier else {}
        with open(args.file, "rb") as handle:
            files = {"file": (os.path.basename(args.file), handle)}
            job = api.call(
                "POST", args.resource, files=files, data={"metaData": json.dumps(meta)}
            ).json()
        status = follow(api, job["id"])
        if args.output:
            save(api, job["id"], args.resource, args.output, "application/x-ndjson")
    print(summary(status), file=sys.stderr)
    return 0 if status["status"] == "COMPLETED" else 1
