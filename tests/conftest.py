"""Shared fixtures live in tests/fixtures/, one module per real part."""

pytest_plugins = [
    "tests.fixtures.redis",
    "tests.fixtures.app",
    "tests.fixtures.accounts",
    "tests.fixtures.sandbox",
    "tests.fixtures.hub",
    "tests.fixtures.jobs",
]
