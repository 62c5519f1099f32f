"""`autotask-connector create-user`: a user (and a new organization, unless one is named),
with secrets printed once and stored only as hashes.

It uses REDIS_URL, else the embedded Redis of a `serve` running on the same data folder, else
starts that embedded Redis for the moment it needs it.
"""

from __future__ import annotations

import argparse
import sys

from connector.commands.redis_target import redis_url
from connector.config import Settings
from connector.storage.keys import Keys
from connector.storage.redis_conn import connect
from connector.tenancy.accounts import AccountStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", default="admin@localhost")
    parser.add_argument("--first-name", default="Admin")
    parser.add_argument("--last-name", default="User")
    parser.add_argument(
        "--organization", default="Default organization", help="name of the new organization"
    )
    parser.add_argument(
        "--organization-id", type=int, help="add the user to this existing organization instead"
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    with redis_url(settings) as url:
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
    print(
        f"Organization {account.organization.id} ({account.organization.name}), "
        f"user {account.user.id} ({account.user.emailAddress})"
    )
    if args.organization_id is None:
        print(f"Organization secret: {account.organization_secret}")
    print(f"User secret:         {account.user_secret}")
    print("These secrets are shown once and stored only as hashes.")
    return 0
