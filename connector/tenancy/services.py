"""The stores and services one app builds once and every request shares (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass

from connector.config import Settings
from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache
from connector.tenancy.accounts import AccountStore
from connector.tenancy.callers import CallerLookup
from connector.tenancy.clients import ClientFactory
from connector.tenancy.hooks import InstanceHooks
from connector.tenancy.instances import InstanceStore
from connector.tenancy.secrets_box import SecretBox


@dataclass(frozen=True)
class Services:
    settings: Settings
    keys: Keys
    accounts: AccountStore
    instances: InstanceStore
    box: SecretBox
    box_key: str  # the Fernet key(s), for keys derived from it (page-token signing)
    lookup: CallerLookup
    local: LocalCache
    clients: ClientFactory  # the one way to an instance's Autotask client
    hooks: InstanceHooks  # instance changed / deleted: listeners drop what they keep
