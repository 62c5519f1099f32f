"""`AutotaskClient`: the one door to an Autotask database for the rest of the connector.

It only speaks Autotask: entities, filter items, picklist values. What a normalized resource
is, and how it maps onto entities, is for connector.mapping to know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import redis as redis_lib

from connector.autotask import links, queries, records
from connector.autotask.calls import Caller
from connector.autotask.metadata import Metadata
from connector.autotask.models import Credentials, Page, Zone
from connector.autotask.paging import MAX_RECORDS
from connector.autotask.queries import Filter
from connector.autotask.routes import Routes, default_routes
from connector.autotask.stats import CallStats
from connector.autotask.zones import discover_zone
from connector.config import Settings
from connector.outbound import OutboundClient
from connector.storage.keys import Keys


class AutotaskClient:
    """Calls one Autotask database as one API user. Cheap to build; safe to share by threads."""

    def __init__(
        self,
        credentials: Credentials,
        zone: Zone,
        *,
        redis: redis_lib.Redis,
        keys: Keys,
        settings: Settings,
        outbound: OutboundClient | None = None,
        routes: Routes | None = None,
        zone_url: str | None = None,
        on_zone_moved: Callable[[Zone], None] | None = None,
    ) -> None:
        """`zone_url` is where the zone was discovered (default: Autotask's global endpoint);
        `outbound` the guard's client (default: the process's one for the settings);
        `on_zone_moved` hears of a new zone once it is proved (to pin it)."""
        self.credentials = credentials
        self.stats = CallStats()
        self.caller = Caller(
            credentials,
            zone,
            redis=redis,
            keys=keys,
            settings=settings,
            outbound=outbound,
            stats=self.stats,
            zone_url=zone_url,
            on_zone_moved=on_zone_moved,
        )
        self.routes = routes or default_routes()
        self.metadata = Metadata(self.caller, redis, keys, ttl=settings.metadata_ttl)

    @classmethod
    def connect(
        cls,
        credentials: Credentials,
        *,
        redis: redis_lib.Redis,
        keys: Keys,
        settings: Settings,
        outbound: OutboundClient | None = None,
    ) -> AutotaskClient:
        """Discover the user's zone (cached in Redis) and build a client for it."""
        zone = discover_zone(
            credentials.username,
            redis=redis,
            keys=keys,
            zone_url=settings.autotask_zone_url,
            ttl=settings.zone_ttl,
            settings=settings,
            outbound=outbound,
        )
        return cls(credentials, zone, redis=redis, keys=keys, settings=settings, outbound=outbound)

    def __repr__(self) -> str:
        return f"AutotaskClient({self.credentials.username!r}, zone={self.zone.name!r})"

    @property
    def background(self) -> bool:
        """Whether this client's calls are background work (bulk jobs): they leave one of
        the endpoint's concurrency slots to interactive calls (see limits/semaphore.py)."""
        return self.caller.background

    @background.setter
    def background(self, value: bool) -> None:
        self.caller.background = bool(value)

    @property
    def zone(self) -> Zone:
        """The current zone (it changes if Autotask moved the database)."""
        return self.caller.zone

    # -- reads -----------------------------------------------------------------------------
    def query(
        self, entity: str, filter: Filter, fields: Sequence[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every row matching `filter`, in id order, across pages: ceil(N/500) calls when
        Autotask sends pageDetails.nextPageUrl (see connector.autotask.queries)."""
        return queries.query(self.caller, entity, filter, fields)

    def query_page(
        self,
        entity: str,
        filter: Filter,
        *,
        fields: Sequence[str] | None = None,
        max_records: int = MAX_RECORDS,
    ) -> Page:
        """One upstream call; page on with an `id gt <page.last_id>` item in `filter`."""
        return queries.query_page(
            self.caller, entity, filter, fields=fields, max_records=max_records
        )

    def count(self, entity: str, filter: Filter) -> int:
        return queries.count(self.caller, entity, filter)

    def get(self, entity: str, id: int) -> dict[str, Any] | None:  # noqa: A002 - the API's name
        """The record with this id, or None."""
        return records.get(self.caller, entity, id)

    # -- writes ----------------------------------------------------------------------------
    def create(
        self,
        entity: str,
        body: Mapping[str, Any],
        *,
        parent_id: int | None = None,
        read_back: bool = True,
    ) -> dict[str, Any]:
        """Create, then read the record back (`read_back=False`: answer `{"id": n}` only).
        Never retried unless Autotask surely refused."""
        return records.create(
            self.caller, self.routes, entity, body, parent_id, read_back=read_back
        )

    def update(
        self,
        entity: str,
        body: Mapping[str, Any],
        *,
        parent_id: int | None = None,
        read_back: bool = True,
    ) -> dict[str, Any]:
        """PATCH the fields in `body` (which holds the id), then read the record back."""
        return records.update(
            self.caller, self.routes, entity, body, parent_id, read_back=read_back
        )

    def delete(self, entity: str, id: int, *, parent_id: int | None = None) -> None:  # noqa: A002
        records.delete(self.caller, self.routes, entity, id, parent_id)

    # -- the account -----------------------------------------------------------------------
    def probe(self) -> None:
        """One cheap authenticated call (ThresholdInformation): raises if the credentials fail."""
        self.caller.read_threshold(kind="probe")

    def threshold(self) -> dict[str, Any]:
        """Autotask's ThresholdInformation: externalRequestThreshold, requestThresholdTimeframe,
        currentTimeframeRequestCount. Also refreshes the snapshot the pacing relies on."""
        return self.caller.read_threshold()

    # -- deep links ------------------------------------------------------------------------
    def link(self, command: str, **params: Any) -> str:
        """An ExecuteCommand URL, e.g. link("OpenTicketDetail", TicketID=7)."""
        base = links.web_base(self.zone.web_url, self.zone.url)
        return links.execute_command_url(base, command, **params)

    def record_link(self, entity: str, id: int) -> str | None:  # noqa: A002
        """The link that opens one record of `entity`, or None if Autotask has no command."""
        found = links.record_command(entity)
        if found is None:
            return None
        command, param = found
        return self.link(command, **{param: id})
