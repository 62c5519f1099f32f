"""The one factory of Autotask clients: for an instance (its credentials in clear, its zone
cached by username), or for credentials being proved before an instance holds them."""

from __future__ import annotations

import redis

from connector.autotask import AutotaskClient, Credentials, Zone, discover_zone
from connector.config import Settings
from connector.storage.keys import Keys
from connector.tenancy import element
from connector.tenancy.instances import Instance
from connector.tenancy.provisioning import credentials_from
from connector.tenancy.secrets_box import SecretBox


class ClientFactory:
    def __init__(
        self, *, settings: Settings, client: redis.Redis, keys: Keys, box: SecretBox
    ) -> None:
        self.settings = settings
        self.redis = client
        self.keys = keys
        self.box = box

    def __call__(self, instance: Instance) -> AutotaskClient:
        """The client of a stored instance."""
        config = {key: instance.config_value(key, self.box) for key in element.CREDENTIAL_KEYS}
        credentials = credentials_from(config, self.settings)
        zone_url = instance.zone["lookupUrl"]
        return self.build(credentials, self.zone(credentials.username, zone_url), zone_url)

    def zone(self, username: str, zone_url: str, *, refresh: bool = False) -> Zone:
        return discover_zone(
            username,
            redis=self.redis,
            keys=self.keys,
            zone_url=zone_url,
            ttl=self.settings.zone_ttl,
            refresh=refresh,
        )

    def build(self, credentials: Credentials, zone: Zone, zone_url: str) -> AutotaskClient:
        return AutotaskClient(
            credentials,
            zone,
            redis=self.redis,
            keys=self.keys,
            settings=self.settings,
            zone_url=zone_url,
        )
