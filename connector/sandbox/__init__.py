"""A faithful local Autotask REST API: develop, demo and test with no Autotask account.

`create_sandbox_app(SandboxConfig(...))` builds it; `python -m connector.sandbox` serves it.
"""

from __future__ import annotations

from connector.sandbox.settings import (
    DEFAULT_INTEGRATION_CODE,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    SandboxConfig,
)

__all__ = [
    "DEFAULT_INTEGRATION_CODE",
    "DEFAULT_SECRET",
    "DEFAULT_USERNAME",
    "SandboxConfig",
    "create_sandbox_app",
]


def create_sandbox_app(config: SandboxConfig | None = None, **kwargs):
    from connector.sandbox.app import create_sandbox_app as build

    return build(config, **kwargs)
