"""Organizations and their users, each known by a secret stored only as a hash.

An organization owns instances; a user belongs to one organization and sees only its
organization's instances. `autotask-connector create-user` makes both and prints the secrets
once; `CONNECTOR_ORG_SECRET`/`CONNECTOR_USER_SECRET` provision a single tenant at start.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import redis

from connector.storage.keys import Keys
from connector.tenancy.secrets_box import hash_secret, new_secret


@dataclass(frozen=True)
class Organization:
    id: int
    name: str
    createdDate: str


@dataclass(frozen=True)
class User:
    id: int
    organizationId: int
    emailAddress: str
    firstName: str
    lastName: str
    createdDate: str


@dataclass(frozen=True)
class NewAccount:
    """What `create` returns: the records and the secrets, shown this once."""

    organization: Organization
    user: User
    organization_secret: str
    user_secret: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AccountStore:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis = client
        self.keys = keys

    def create(
        self,
        *,
        organization_name: str = "Default organization",
        email: str = "admin@localhost",
        first_name: str = "Admin",
        last_name: str = "User",
        organization_secret: str | None = None,
        user_secret: str | None = None,
        organization_id: int | None = None,
    ) -> NewAccount:
        """A user, in a new organization or in `organization_id`; secrets made unless given."""
        org_secret = organization_secret or new_secret()
        usr_secret = user_secret or new_secret()
        if organization_id is None:
            org = Organization(
                int(self.redis.incr(self.keys.sequence("org"))), organization_name, _now()
            )
        else:
            existing = self.organization(organization_id)
            if existing is None:
                raise LookupError(f"no organization {organization_id}")
            org = existing
        user = User(
            int(self.redis.incr(self.keys.sequence("user"))),
            org.id,
            email,
            first_name,
            last_name,
            _now(),
        )
        with self.redis.pipeline() as pipe:
            if organization_id is None:
                pipe.set(self.keys.organization(str(org.id)), json.dumps(asdict(org)))
                pipe.set(self.keys.org_by_secret(hash_secret(org_secret)), org.id)
            pipe.set(self.keys.user(str(user.id)), json.dumps(asdict(user)))
            pipe.set(self.keys.user_by_secret(hash_secret(usr_secret)), user.id)
            pipe.execute()
        return NewAccount(org, user, org_secret, usr_secret)

    def ensure(self, organization_secret: str, user_secret: str) -> tuple[Organization, User]:
        """The account these secrets open, made on first use (single-tenant provisioning)."""
        found = self.authenticate(user_secret, organization_secret)
        if found is not None:
            return found
        org = self.organization_by_secret(organization_secret)
        account = self.create(
            organization_secret=organization_secret,
            user_secret=user_secret,
            organization_id=org.id if org else None,
        )
        return account.organization, account.user

    def organization(self, org_id: int | str) -> Organization | None:
        raw = self.redis.get(self.keys.organization(str(org_id)))
        return Organization(**json.loads(raw)) if raw else None

    def user(self, user_id: int | str) -> User | None:
        raw = self.redis.get(self.keys.user(str(user_id)))
        return User(**json.loads(raw)) if raw else None

    def organization_by_secret(self, secret: str) -> Organization | None:
        org_id = self.redis.get(self.keys.org_by_secret(hash_secret(secret)))
        return self.organization(org_id) if org_id else None

    def user_by_secret(self, secret: str) -> User | None:
        user_id = self.redis.get(self.keys.user_by_secret(hash_secret(secret)))
        return self.user(user_id) if user_id else None

    def authenticate(
        self, user_secret: str, organization_secret: str | None
    ) -> tuple[Organization, User] | None:
        """The (organization, user) pair, or None when either secret is unknown or they differ."""
        user = self.user_by_secret(user_secret)
        if user is None:
            return None
        if organization_secret is not None:
            org = self.organization_by_secret(organization_secret)
            if org is None or org.id != user.organizationId:
                return None
        else:
            org = self.organization(user.organizationId)
            if org is None:
                return None
        return org, user
