"""The sandbox's own Flask app: `create_sandbox_app(SandboxConfig(...))`.

It serves what Autotask serves under its zone hosts (`/atservicesrest/...`,
`/Autotask/AutotaskExtend/ExecuteCommand.aspx`) and its admin endpoints under `/_sandbox`.
"""

from __future__ import annotations

from flask import Flask, Request

from connector.sandbox import admin, api
from connector.sandbox.catalog import Catalog, default_catalog
from connector.sandbox.seed import seed_store
from connector.sandbox.settings import DEFAULTS, SandboxConfig
from connector.sandbox.store import Store


class SandboxRuntime:
    """What every request of one sandbox shares: the store, the catalog, the webhooks."""

    def __init__(self, config: SandboxConfig, store: Store, catalog: Catalog) -> None:
        self.config = config
        self.store = store
        self.catalog = catalog
        self.token_secret = store.meta("token_secret") or ""
        self.webhooks = None  # set by the webhooks module when delivery runs here

    def base_url(self, request: Request) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        return request.host_url.rstrip("/")

    def on_changes(self, conn, w) -> None:
        """Queue the webhook callouts of a write, in the write's own transaction."""
        from connector.sandbox.webhooks.outbox import enqueue_events

        enqueue_events(conn, self.catalog, w.events, actor_id=w.actor_id)


def prepare_store(config: SandboxConfig, catalog: Catalog | None = None) -> Store:
    """Open the database, seed it when empty (or when asked), reset runtime state.

    Run once per server before any worker starts: tunables go back to their defaults plus
    the config's overrides, faults and in-flight slots are cleared.
    """
    catalog = catalog or default_catalog()
    store = Store(config.database, catalog)
    if config.reseed or store.meta("seeded") is None:
        store.wipe()
        seed_store(store, records=config.records, seed_counts=config.seed_counts, seed=config.seed)
    store.set_config_values({**DEFAULTS, **config.settings})
    with store.write() as conn:
        conn.execute("DELETE FROM _faults")
        conn.execute("DELETE FROM _inflight")
    return store


def create_sandbox_app(config: SandboxConfig | None = None, *, store: Store | None = None) -> Flask:
    """Build the app; `store` reuses a prepared database (gunicorn workers, tests)."""
    config = config or SandboxConfig()
    catalog = store.catalog if store is not None else default_catalog()
    if store is None:
        store = prepare_store(config, catalog)
    app = Flask(__name__)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    runtime = SandboxRuntime(config, store, catalog)
    app.extensions["sandbox"] = runtime
    app.register_blueprint(admin.blueprint)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app.add_url_rule("/", "api_root", api.handle_api, defaults={"path": ""}, methods=methods)
    app.add_url_rule("/<path:path>", "api", api.handle_api, methods=methods)
    if config.deliver_webhooks:
        from connector.sandbox.webhooks.delivery import start_delivery

        start_delivery(runtime)
    return app
