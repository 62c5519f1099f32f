"""First-start provisioning for `serve` and the `create-user` command.

On the embedded defaults (no CONNECTOR_ORG_SECRET/CONNECTOR_USER_SECRET), `serve` makes an
organization and a user on first start and keeps their secrets in `{data}/credentials.env`
(mode 0600) beside the encryption key, so every later start prints the same values and the
README's curl examples work after `source .connector/credentials.env`.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import redis

from connector.storage.keys import Keys
from connector.tenancy.accounts import AccountStore, NewAccount

CREDENTIALS_FILE = "credentials.env"


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def write_env_file(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# written by autotask-connector serve; keep it private (mode 0600)\n")
        for name, value in values.items():
            handle.write(f"export {name}={shlex.quote(value)}\n")
    os.replace(tmp, path)


def local_account(client: redis.Redis, keys: Keys, data_dir: str) -> tuple[str, str]:
    """The (organization secret, user secret) of this data folder, made on first start."""
    path = Path(data_dir) / CREDENTIALS_FILE
    values = read_env_file(path) if path.exists() else {}
    org_secret, user_secret = values.get("ORG_SECRET"), values.get("USER_SECRET")
    accounts = AccountStore(client, keys)
    if org_secret and user_secret:
        accounts.ensure(org_secret, user_secret)  # Redis may have been emptied since
    else:
        account: NewAccount = accounts.create(
            organization_name="Local organization", email="admin@localhost"
        )
        org_secret, user_secret = account.organization_secret, account.user_secret
    values.update({"ORG_SECRET": org_secret, "USER_SECRET": user_secret})
    write_env_file(path, values)
    return org_secret, user_secret


def remember(data_dir: str, **values: str) -> None:
    """Add values (the service and sandbox URLs, the sandbox user) to credentials.env."""
    path = Path(data_dir) / CREDENTIALS_FILE
    current = read_env_file(path) if path.exists() else {}
    current.update(values)
    write_env_file(path, current)
