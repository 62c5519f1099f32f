"""From an instance's configuration to a working Autotask connection: zone, then one probe.

The server URL decides where the zone is asked: an Autotask web URL (`https://wwN.autotask.net`)
goes through Autotask's global zoneInformation endpoint (`AUTOTASK_ZONE_URL`); any other base URL
(the sandbox, a proxy) is asked for its own zone. The zone answer never proves the credentials
(Autotask's advice), so one cheap authenticated call does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from connector.autotask import Credentials, Zone
from connector.config import Settings
from connector.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderForbiddenError,
    ProviderValidationError,
    ValidationError,
)
from connector.tenancy import element

if TYPE_CHECKING:
    from connector.tenancy.clients import ClientFactory

_AUTOTASK_HOST = re.compile(r"^(ww\d+|webservices\d*|prde|pres)\.autotask\.net$", re.IGNORECASE)


def zone_lookup_url(server_url: str, settings: Settings) -> str:
    parts = urlsplit(server_url.strip())
    if _AUTOTASK_HOST.match(parts.hostname or ""):
        return settings.autotask_zone_url
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return f"{base}/atservicesrest/v1.0/zoneInformation"


@dataclass(frozen=True)
class Connection:
    credentials: Credentials
    zone: Zone
    zone_url: str


def credentials_from(config: dict[str, str | None], settings: Settings) -> Credentials:
    """Credentials from configuration values in clear; a 400 naming what is missing."""
    code = config.get(element.INTEGRATION_CODE) or settings.autotask_integration_code
    values = {
        element.USERNAME: config.get(element.USERNAME),
        element.PASSWORD: config.get(element.PASSWORD),
        element.SERVER_URL: config.get(element.SERVER_URL),
        element.INTEGRATION_CODE: code,
    }
    missing = [key for key, value in values.items() if not value]
    if missing:
        hint = ""
        if element.INTEGRATION_CODE in missing:
            hint = (
                " (the Autotask REST API needs the API user's integration code; the operator"
                " may set a default with AUTOTASK_INTEGRATION_CODE)"
            )
        raise ValidationError(
            "Invalid instance: missing configuration: " + ", ".join(missing) + hint
        )
    return Credentials(
        username=str(values[element.USERNAME]).strip(),
        secret=str(values[element.PASSWORD]),
        integration_code=str(code).strip(),
    )


def connect(config: dict[str, str | None], clients: ClientFactory) -> Connection:
    """Discover the zone and prove the credentials; a 400 carrying Autotask's text if refused."""
    credentials = credentials_from(config, clients.settings)
    zone_url = zone_lookup_url(str(config[element.SERVER_URL]), clients.settings)
    try:
        zone = clients.zone(credentials.username, zone_url, refresh=True)
    except (ProviderAuthError, ProviderValidationError) as exc:
        raise ValidationError(
            "Autotask does not know this username (zone discovery failed); check "
            f"{element.USERNAME} and {element.SERVER_URL}",
            provider_message=exc.provider_message,
        ) from None
    autotask = clients.build(credentials, zone, zone_url)
    try:
        autotask.probe()
    except (ProviderAuthError, ProviderForbiddenError, ProviderValidationError) as exc:
        raise ValidationError(
            "Autotask refused the credentials; check the username, password (secret) and "
            "integration code of the API user",
            provider_message=exc.provider_message,
        ) from None
    except ProviderError:
        raise  # outages keep their own status (502/503): nothing is created
    return Connection(credentials, zone, zone_url)
