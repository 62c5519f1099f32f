"""The webhook tests' served connector (its public URL where the sandbox's webhooks call) and
instance fixtures serve the end-to-end tests too."""

from tests.events.webhooks.conftest import (  # noqa: F401
    live_server,
    make_instance,
    public_port,
    settings,
)
