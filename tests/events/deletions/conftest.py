"""The webhooks tests' instance and environment fixtures serve the deletion tests too."""

from tests.events.webhooks.conftest import box, env, make_instance  # noqa: F401
