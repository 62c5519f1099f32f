"""Keys of the Autotask client (zones, metadata, limits), the hub's caches and virtual
resources."""

from __future__ import annotations

from connector.storage.key_base import KeyBase, digest


class UpstreamKeys(KeyBase):
    # -- Autotask client: zones, metadata, limits ---------------------------------------
    def zone(self, zone_url: str, username: str) -> str:
        """A username's zone as one lookup URL answered it: an instance pointing at another
        server (a sandbox, a proxy) never shares, or overwrites, another tenant's entry."""
        return self._k("zone", digest(f"{zone_url.strip().lower()}\0{username.strip().lower()}"))

    def throttle(self, kind: str, who: str) -> str:
        """What limits how often a tenant makes the connector do `kind` (zone re-checks...)."""
        return self._k("throttle", kind, digest(who))

    def metadata(self, database: int | str, entity: str, kind: str) -> str:
        return self._k("meta", database, entity.lower(), kind)

    def request_counter(self, database: int | str, window: int) -> str:
        return self._k("limits", database, "requests", window)

    def threshold(self, database: int | str) -> str:
        return self._k("limits", database, "threshold")

    def threshold_lock(self, database: int | str) -> str:
        """Held by the one worker reading ThresholdInformation for the database."""
        return self._k("limits", database, "threshold", "lock")

    def pacing_lock(self, database: int | str) -> str:
        return self._k("limits", database, "pace")

    def semaphore(self, integration: str, endpoint: str) -> str:
        return self._k("limits", "sem", digest(integration), endpoint.lower())

    def instance_usage(self, instance_id: int | str, hour: int) -> str:
        """One instance's Autotask calls in one hour (a hash: `entity|outcome` -> count)."""
        return self._k("usage", instance_id, hour)

    def instance_usage_database(self, instance_id: int | str) -> str:
        """The database an instance last called (its threshold use is read from there)."""
        return self._k("usage", instance_id, "database")

    # -- hub caches ----------------------------------------------------------------------
    def cache(self, instance_id: int | str, *parts: object) -> str:
        return self._k("cache", instance_id, *parts)

    def cache_database(self, database: str, *parts: object) -> str:
        """State one Autotask database's caches share across its instances (versions, members)."""
        return self._k("cachedb", digest(database), *parts)

    def cache_index(self, instance_id: int | str) -> str:
        return self._k("cache", instance_id, "index")

    def invalidation_channel(self) -> str:
        """The pub/sub channel on which writers name what changed (see storage.local_cache)."""
        return self._k("invalidations")

    def idempotency(self, instance_id: int | str, key_digest: str) -> str:
        """The first outcome of a hub create sent with this Idempotency-Key (24 h)."""
        return self._k("idem", instance_id, key_digest)

    def sorted_result(self, instance_id: int | str, result_id: str) -> str:
        """The ids of a result sorted in memory, waiting for its next pages."""
        return self._k("sorted", instance_id, result_id)

    def sorted_budget(self, owner: int | str, part: str) -> str:
        """Sorted results' byte accounting (connector/hub/sorted_budget.py): per instance
        `index` (zset: result key -> expiry ms) and `sizes` (hash: key -> bytes); per
        organization (`org-{id}`) `bytes` (hash: instance -> bytes, `_total`) and `expiry`
        (zset: instance -> its last result's expiry ms)."""
        return self._k("sorted-budget", owner, part)

    def page_cursors(self, instance_id: int | str, query_digest: str) -> str:
        """Hash: page number -> the signed position where that page of one listing starts."""
        return self._k("pages", instance_id, query_digest)

    # -- virtual resources: one hash per owner, field = the resource's name -------------
    def definitions(self, scope: str, owner: int | str) -> str:
        """Definitions of an organization (`scope` "org") or an instance ("instance")."""
        return self._k("vdr", scope, owner, "defs")

    def transformations(self, scope: str, owner: int | str, element: str) -> str:
        return self._k("vdr", scope, owner, "xfs", element)

    def vdr_version(self, org_id: int | str) -> str:
        """A counter of the organization's transformation changes (no TTL: not a cache)."""
        return self._k("vdr", "org", org_id, "version")
