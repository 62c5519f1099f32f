"""The Autotask client of an instance: its credentials in clear, its zone (cached by username)."""

from __future__ import annotations

import redis

from connector.autotask import AutotaskClient, discover_zone
from connector.config import Settings
from connector.storage.keys import Keys
from connector.tenancy import element
from connector.tenancy.instances import Instance
from connector.tenancy.provisioning import credentials_from
from connector.tenancy.secrets_box import SecretBox


def autotask_for(
    instance: Instance, *, settings: Settings, client: redis.Redis, keys: Keys, box: SecretBox
) -> AutotaskClient:
    config = {key: instance.config_value(key, box) for key in element.CREDENTIAL_KEYS}
    credentials = credentials_from(config, settings)
    zone = discover_zone(
        credentials.username,
        redis=client,
        keys=keys,
        zone_url=instance.zone["lookupUrl"],
        ttl=settings.zone_ttl,
    )
    return AutotaskClient(
        credentials,
        zone,
        redis=client,
        keys=keys,
        settings=settings,
        zone_url=instance.zone["lookupUrl"],
    )
