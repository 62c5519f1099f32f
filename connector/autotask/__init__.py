"""The Autotask REST client: zones, headers, queries and paging, records, metadata, limits,
links. It never imports Flask and knows nothing of normalized resources.

    zone = discover_zone(username, redis=r, keys=keys, zone_url=settings.autotask_zone_url)
    client = AutotaskClient(credentials, zone, redis=r, keys=keys, settings=settings)
    for contact in client.query("Contacts", [{"op": "eq", "field": "isActive", "value": 1}]):
        ...
"""

from __future__ import annotations

from connector.autotask.client import AutotaskClient
from connector.autotask.errors import PagingLoopError, UnknownUsernameError, UpstreamConnectionError
from connector.autotask.metadata import Metadata, UnknownFieldError
from connector.autotask.models import Credentials, Page, Zone
from connector.autotask.paging import MAX_RECORDS
from connector.autotask.queries import ALL_ROWS
from connector.autotask.stats import CallStats
from connector.autotask.zones import discover_zone

__all__ = [
    "ALL_ROWS",
    "MAX_RECORDS",
    "AutotaskClient",
    "CallStats",
    "Credentials",
    "Metadata",
    "Page",
    "PagingLoopError",
    "UnknownFieldError",
    "UnknownUsernameError",
    "UpstreamConnectionError",
    "Zone",
    "discover_zone",
]
