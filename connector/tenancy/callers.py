"""Who is calling: the user, organization and instance that the secrets and the token of an
Authorization header open, in one Redis round trip, or none when this process holds a fresh
copy (connector.storage.local_cache drops it the moment any process changes the instance or
account).

Secrets and tokens are hashed before they reach Redis, as they are stored.
"""

from __future__ import annotations

import hashlib
import json

import redis

from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache, group
from connector.storage.scripts import script
from connector.tenancy.accounts import Organization, User
from connector.tenancy.instances import Instance
from connector.tenancy.secrets_box import hash_secret

# KEYS[1] user-by-secret, KEYS[2] organization-by-secret, KEYS[3] instance-by-token (a key
# that is never set stands in for a part the header lacks).
# ARGV[1..3] the key prefixes of user, organization and instance records.
# Returns {user, organization, instance} JSON, "" where not found. Record keys are built
# here, which ties the script to a non-cluster Redis, like the rest of the service.
_LOOKUP = """
local function record(index_key, prefix)
  local id = redis.call("GET", index_key)
  if not id then return "" end
  return redis.call("GET", prefix .. id) or ""
end
local user = record(KEYS[1], ARGV[1])
if user == "" then return {"", "", ""} end
return {user, record(KEYS[2], ARGV[2]), record(KEYS[3], ARGV[3])}
"""

Found = tuple[User | None, Organization | None, Instance | None]


class CallerLookup:
    def __init__(self, client: redis.Redis, keys: Keys, local: LocalCache | None = None) -> None:
        self.redis = client
        self.keys = keys
        self.local = local
        self._script = script(client, _LOOKUP)
        self._absent = keys.sequence("never-set")

    @staticmethod
    def _field(user_secret: str, organization_secret: str | None, token: str | None) -> str:
        joined = "\0".join((user_secret, organization_secret or "", token or ""))
        return "caller:" + hashlib.sha256(joined.encode()).hexdigest()

    def copied(
        self, user_secret: str, organization_secret: str | None, token: str | None
    ) -> Found | None:
        """This process's fresh copy of a look-up, or None (no Redis call)."""
        if self.local is None:
            return None
        return self.local.get(self._field(user_secret, organization_secret, token))

    def lookup(self, user_secret: str, organization_secret: str | None, token: str | None) -> Found:
        """The records the secrets open; None for each one that is unknown."""
        field = self._field(user_secret, organization_secret, token)
        since = 0
        if self.local is not None:
            copied = self.local.get(field)
            if copied is not None:
                return copied
            since = self.local.generation()
        found = self._read(user_secret, organization_secret, token)
        user, org, instance = found
        if self.local is not None and user is not None and (token is None or instance):
            groups = [group("user", user.id)]
            if org is not None:
                groups.append(group("org", org.id))
            if instance is not None:
                groups.append(group("instance", instance.id))
            self.local.put(field, found, groups, since=since)
        return found

    def _read(self, user_secret: str, organization_secret: str | None, token: str | None) -> Found:
        keys = [
            self.keys.user_by_secret(hash_secret(user_secret)),
            self.keys.org_by_secret(hash_secret(organization_secret))
            if organization_secret
            else self._absent,
            self.keys.instance_by_token(hash_secret(token)) if token else self._absent,
        ]
        args = [self.keys.user(""), self.keys.organization(""), self.keys.instance("")]
        user_raw, org_raw, instance_raw = self._script(keys=keys, args=args)
        user = User(**json.loads(user_raw)) if user_raw else None
        org = Organization(**json.loads(org_raw)) if org_raw else None
        instance = Instance(**json.loads(instance_raw)) if instance_raw else None
        return user, org, instance
