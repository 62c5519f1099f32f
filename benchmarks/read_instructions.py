"""Instructions the connector's process spends on one uncached GET /hubs/crm/contacts/{id}.

    python benchmarks/read_instructions.py [--requests 300] [--code DIR]

Wall and CPU times on a shared 2-core host wander by half from one run to the next; the count
of instructions valgrind's callgrind sees does not (the same code and data give the same count
to a tenth of a percent). This runs the app in a Python process under callgrind with its
instrumentation off, sets up an instance on the sandbox, reads the record 50 times to warm
everything, then switches instrumentation on (`callgrind_control -i on`) for `--requests`
reads through the WSGI app (the fast path, the admission, the Autotask call, the mapping and
the rendering; the releaser and renewer threads' work included), off again, and prints the
instructions per read. Only this process is counted: Redis and the sandbox run apart.
`--code DIR` measures another checkout (e.g. `git worktree add /tmp/old <commit>`) with this
checkout's interpreter and libraries. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--code", type=Path, default=ROOT)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        signals, out = Path(tmp), Path(tmp) / "callgrind.out"
        env = {**os.environ, "READ_CODE": str(args.code.resolve()), "READ_SIGNALS": tmp}
        env["READ_REQUESTS"] = str(args.requests)
        child = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for(signals / "ready", child)
            pid = (signals / "ready").read_text().strip()
            subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
            (signals / "go").touch()
            _wait_for(signals / "done", child)
            subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
            (signals / "exit").touch()
            _, errors = child.communicate(timeout=600)
        finally:
            if child.poll() is None:
                child.kill()
        found = re.search(r"Collected : (\d+)", errors)
        if child.returncode != 0 or found is None:
            print(errors[-2000:], file=sys.stderr)
            return 1
        total = int(found.group(1))
    print(
        f"Uncached GET /hubs/crm/contacts/{{id}} in process (WSGI, one Autotask call), code at "
        f"{args.code.resolve()}: {total / args.requests:,.0f} instructions per read "
        f"({args.requests} reads, callgrind)"
    )
    return 0


def _wait_for(path: Path, child: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the measured process stopped before {path.name}")
        time.sleep(0.05)


def child() -> None:
    """Inside callgrind: the app, an instance on the sandbox, then the reads."""
    sys.path.insert(0, os.environ["READ_CODE"])
    import requests
    from cryptography.fernet import Fernet
    from werkzeug.test import EnvironBuilder

    from benchmarks import harness
    from benchmarks.hub_bench import BASE, PREFIX, instance_body
    from connector.app import create_app
    from connector.config import Settings

    signals, reads = Path(os.environ["READ_SIGNALS"]), int(os.environ["READ_REQUESTS"])
    secret_key = Fernet.generate_key().decode()
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        _, auth = harness.service_env(redis_url, PREFIX, Path(tmp) / "data", sandbox_url)
        requests.post(  # no pacing: see hub_bench.uncached
            f"{sandbox_url}/_sandbox/config", json={"threshold": 100_000_000}, timeout=30
        ).raise_for_status()
        app = create_app(
            Settings(
                redis_url=redis_url,
                key_prefix=PREFIX,
                data_dir=str(Path(tmp) / "data"),
                secret_key=secret_key,
                log_level="WARNING",
                autotask_allowed_hosts=sandbox_url,
            )
        )
        client = app.test_client()
        body = {**instance_body(sandbox_url), "cachingEnabled": False}
        created = client.post(BASE + "/instances", json=body, headers={"Authorization": auth})
        headers = {"Authorization": f"{auth}, Element {created.get_json()['token']}"}
        listed = client.get(BASE + "/hubs/crm/contacts?pageSize=1", headers=headers)
        path = f"{BASE}/hubs/crm/contacts/{listed.get_json()[0]['id']}"
        environ = EnvironBuilder(path=path, headers=headers).get_environ()

        def read() -> None:
            statuses: list[str] = []
            b"".join(app.wsgi_app(dict(environ), lambda status, *_: statuses.append(status)))
            assert statuses[0].startswith("200"), statuses

        for _ in range(50):
            read()
        (signals / "ready").write_text(str(os.getpid()))
        _wait_for(signals / "go", _NoChild())
        for _ in range(reads):
            read()
        (signals / "done").touch()
        _wait_for(signals / "exit", _NoChild())


class _NoChild:
    """`_wait_for` inside the measured process: there is no child to watch."""

    @staticmethod
    def poll() -> None:
        return None


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
        sys.exit(0)
    sys.exit(main())
