"""The composition root: every store and service the app shares, built once, in order.

Nothing else wires parts together. Here the hub registry gets its resolvers (virtual resources
first, then the normalized maps and Autotask entities), the instance hooks get their listeners
(the hub's cache, virtual-resource documents, formula instances), and the one Autotask client
factory is made.
Blueprints read what they need through the accessors below and never import one another.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from connector.api.thread_share import ThreadShare
from connector.bulk import queueing as bulk_queueing
from connector.bulk.runtime import Runtime as BulkRuntime
from connector.config import Settings
from connector.events import setup as events_setup
from connector.events import webhooks as event_webhooks
from connector.events.env import EXTENSION as EVENTS
from connector.formulas.environment import EXTENSION as FORMULAS
from connector.formulas.environment import FormulaEnv
from connector.formulas.jobs import schedule_periodic
from connector.formulas.service import FormulaService
from connector.hub.cache import cache_dropper
from connector.hub.registry import Registry
from connector.hub.service import Hub
from connector.hub.tokens import PageTokens
from connector.jobs import KINDS, Jobs
from connector.jobs.queues import binary
from connector.mapping import load_maps
from connector.observability import queues
from connector.storage.local_cache import LocalCache
from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy.accounts import AccountStore
from connector.tenancy.callers import CallerLookup
from connector.tenancy.clients import ClientFactory
from connector.tenancy.hooks import InstanceHooks
from connector.tenancy.instances import Instance, InstanceStore
from connector.tenancy.secrets_box import SecretBox, load_key
from connector.tenancy.services import Services
from connector.virtual.resolver import VirtualResolver
from connector.virtual.service import VdrService
from connector.virtual.store import VdrStore

EXTENSION = "connector.deps"
HUB = "connector.hub"
VIRTUAL = "connector.virtual"
BULK = "connector.bulk"
THREADS = "connector.thread_share"


def init_app(app: Flask) -> None:
    settings: Settings = app.config["SETTINGS"]
    client, keys = get_redis(app), get_keys(app)
    key = load_key(settings.secret_key, settings.data_dir)
    box = SecretBox(key)
    local = LocalCache(client, keys, ttl=settings.local_cache_ttl)
    hooks = InstanceHooks()
    services = Services(
        settings,
        keys,
        AccountStore(client, keys),
        InstanceStore(client, keys, local),
        box,
        key,
        CallerLookup(client, keys, local),
        local,
        ClientFactory(settings=settings, client=client, keys=keys, box=box),
        hooks,
    )
    app.extensions[EXTENSION] = services
    app.extensions[THREADS] = ThreadShare(settings.web_threads, settings.instance_thread_share)

    store = VdrStore(client, keys, local)
    resolver = VirtualResolver(store)
    # every transformation map is loaded and validated now: a bad map stops the service here
    registry = Registry(
        load_maps(settings.transformations_dir),
        [resolver],
        models={"cloudElements": load_maps(settings.compat_transformations_dir)},
        default_model=settings.default_model,
    )
    tokens = PageTokens(key)
    app.extensions[HUB] = {"registry": registry, "tokens": tokens}
    app.extensions[VIRTUAL] = {
        "service": VdrService(store, services.instances),
        "resolver": resolver,
        "store": store,
    }

    # formulas: their steps call the hub's service layer with these same parts
    # background work: one set of job queues for every feature (connector.jobs)
    jobs = Jobs(settings.redis_url, keys, connection=binary(client))

    formulas = FormulaEnv.build(settings, client, keys, services, registry, tokens, jobs)
    formula_service = FormulaService(formulas.store, services.instances)
    app.extensions[FORMULAS] = {"env": formulas, "service": formula_service}

    # what an instance's change or deletion drops, in this order
    hooks.on_change(services.clients.forget)  # its credentials in clear (clients.py)
    hooks.on_delete(services.clients.forget)
    drop_cached = cache_dropper(client, keys, local)
    hooks.on_change(drop_cached)
    hooks.on_delete(drop_cached)
    hooks.on_delete(store.drop_instance)
    hooks.on_delete(formula_service.element_instance_deleted)  # they stop, saying why

    # events: Autotask webhooks follow the instance's settings (registered by a job); removed
    # before it is deleted
    webhook_env = event_webhooks.WebhookEnv(
        settings, client, keys, box, services.instances, services.clients, registry
    )
    app.extensions[event_webhooks.EXTENSION] = webhook_env
    hooks.on_change(lambda instance_id: event_webhooks.request_sync(webhook_env, jobs, instance_id))
    hooks.on_deleting(lambda instance: event_webhooks.remove(webhook_env, instance))

    bulk_runtime = BulkRuntime.build(
        services, registry, app.extensions[HUB]["tokens"], client, jobs
    )
    app.extensions[BULK] = bulk_runtime
    formulas.bulk = bulk_runtime  # a formula's elementRequest may start bulk downloads
    hooks.on_delete(bulk_runtime.store.drop_instance)  # its jobs stop at their next page
    # events: the instance hooks check event keys and tell sources of on/off (connector.events)
    events = events_setup.build(services, registry, client, jobs, formulas)
    app.extensions[EVENTS] = events
    _put_schedules(
        lambda: schedule_periodic(formulas),
        lambda: bulk_queueing.schedule_sweep(bulk_runtime, client),
        lambda: events_setup.schedule_sweeps(events),
    )

    for kind in KINDS:  # every job queue's depth, read at scrape time
        rq_queue = jobs.queue(kind)
        queues.register_queue(kind, lambda q=rq_queue: q.count)

    if settings.org_secret and settings.user_secret:
        _provision_single_tenant(services)


def _put_schedules(*puts: Any) -> None:
    """The features' periodic jobs (a put replaces, so every process puts them). Redis may come
    up after the web workers: each job worker puts them again when it builds its app."""
    import redis

    for put in puts:
        try:
            put()
        except redis.RedisError:
            pass


def _provision_single_tenant(deps: Services) -> None:
    import redis

    try:
        deps.accounts.ensure(deps.settings.org_secret, deps.settings.user_secret)
    except redis.RedisError:
        # Redis may come up after the web workers; the first request retries through `ensure`
        pass


def deps() -> Services:
    return current_app.extensions[EXTENSION]


def thread_share() -> ThreadShare:
    return current_app.extensions[THREADS]


def registry() -> Registry:
    return current_app.extensions[HUB]["registry"]


def tokens() -> PageTokens:
    return current_app.extensions[HUB]["tokens"]


def hub_of(app: Flask, instance: Instance) -> Hub:
    """The hub a request of `instance` reads and writes through (built per request)."""
    return Hub(
        instance,
        deps=app.extensions[EXTENSION],
        redis_client=get_redis(app),
        registry=app.extensions[HUB]["registry"],
        tokens=app.extensions[HUB]["tokens"],
    )


def bulk() -> BulkRuntime:
    """The bulk jobs' store and what their requests and workers build hubs with."""
    return current_app.extensions[BULK]


def virtual() -> dict[str, Any]:
    """The virtual resources' store, resolver and service."""
    return current_app.extensions[VIRTUAL]


def webhooks() -> event_webhooks.WebhookEnv:
    """What the webhook intake and registration share."""
    return current_app.extensions[event_webhooks.EXTENSION]


def events() -> Any:
    """The events feature's env (connector.events.env.EventsEnv)."""
    return current_app.extensions[EVENTS]


def formulas() -> dict[str, Any]:
    """The formulas' environment (`env`) and service."""
    return current_app.extensions[FORMULAS]
