"""Every Redis key name, built from one prefix (`CONNECTOR_KEY_PREFIX`, default `atc:`) in one
place, so deployments or test runs share a Redis untouched. Modules never spell a key.

`Keys` is the one builder modules take; its names live in one module per concern (tenancy,
upstream, work, events), all joined by `key_base.KeyBase` under the same prefix.
"""

from __future__ import annotations

from connector.storage.keys_events import EventKeys
from connector.storage.keys_tenancy import TenancyKeys
from connector.storage.keys_upstream import UpstreamKeys
from connector.storage.keys_work import WorkKeys


class Keys(TenancyKeys, UpstreamKeys, WorkKeys, EventKeys):
    """Key builder bound to a prefix. Arguments are identifiers, never secrets in clear."""
