"""Keys of accounts and instances (and what counts an organization's things)."""

from __future__ import annotations

from connector.storage.key_base import KeyBase


class TenancyKeys(KeyBase):
    # -- health --------------------------------------------------------------------------
    def health_probe(self) -> str:
        return self._k("health", "probe")

    # -- accounts: organizations and users (secrets stored hashed) -----------------------
    def organization(self, org_id: str) -> str:
        return self._k("org", org_id)

    def org_by_secret(self, secret_hash: str) -> str:
        return self._k("org", "by-secret", secret_hash)

    def user(self, user_id: str) -> str:
        return self._k("user", user_id)

    def user_by_secret(self, secret_hash: str) -> str:
        return self._k("user", "by-secret", secret_hash)

    def sequence(self, name: str) -> str:
        return self._k("seq", name)

    # -- instances ---------------------------------------------------------------------
    def instance(self, instance_id: int | str) -> str:
        return self._k("instance", instance_id)

    def org_instances(self, org_id: str) -> str:
        return self._k("org", org_id, "instances")

    def instance_by_token(self, token_hash: str) -> str:
        return self._k("instance", "by-token", token_hash)

    # -- count caps (connector.tenancy.counts) ------------------------------------------------
    def count_claims(self, kind: str, owner: str) -> str:
        """Sorted set: the places creates in flight hold under an owner's cap, by lapse time."""
        return self._k("caps", kind, owner, "claims")
