"""Every Redis key name, built from one prefix (`CONNECTOR_KEY_PREFIX`, default `atc:`) in one
place, so deployments or test runs share a Redis untouched. Modules never spell a key."""

from __future__ import annotations

import hashlib


class Keys:
    """Key builder bound to a prefix. Arguments are identifiers, never secrets in clear."""

    def __init__(self, prefix: str = "atc:") -> None:
        self.prefix = prefix

    def _k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def pattern(self, *parts: object) -> str:
        """A SCAN pattern under the prefix, e.g. `pattern("cache", 7, "*")`."""
        return self._k(*parts)

    # -- health --------------------------------------------------------------------------
    def health_probe(self) -> str:
        return self._k("health", "probe")

    # -- accounts: organizations and users (secrets stored hashed) -----------------------
    def organization(self, org_id: str) -> str:
        return self._k("org", org_id)

    def org_by_secret(self, secret_hash: str) -> str:
        return self._k("org", "by-secret", secret_hash)

    def user(self, user_id: str) -> str:
        return self._k("user", user_id)

    def user_by_secret(self, secret_hash: str) -> str:
        return self._k("user", "by-secret", secret_hash)

    def sequence(self, name: str) -> str:
        return self._k("seq", name)

    # -- instances ---------------------------------------------------------------------
    def instance(self, instance_id: int | str) -> str:
        return self._k("instance", instance_id)

    def org_instances(self, org_id: str) -> str:
        return self._k("org", org_id, "instances")

    def instance_by_token(self, token_hash: str) -> str:
        return self._k("instance", "by-token", token_hash)

    # -- Autotask client: zones, metadata, limits ---------------------------------------
    def zone(self, zone_url: str, username: str) -> str:
        """A username's zone as one lookup URL answered it: an instance pointing at another
        server (a sandbox, a proxy) never shares, or overwrites, another tenant's entry."""
        return self._k("zone", _digest(f"{zone_url.strip().lower()}\0{username.strip().lower()}"))

    def throttle(self, kind: str, who: str) -> str:
        """What limits how often a tenant makes the connector do `kind` (zone re-checks...)."""
        return self._k("throttle", kind, _digest(who))

    def metadata(self, database: int | str, entity: str, kind: str) -> str:
        return self._k("meta", database, entity.lower(), kind)

    def request_counter(self, database: int | str, window: int) -> str:
        return self._k("limits", database, "requests", window)

    def threshold(self, database: int | str) -> str:
        return self._k("limits", database, "threshold")

    def threshold_lock(self, database: int | str) -> str:
        """Held by the one worker reading ThresholdInformation for the database."""
        return self._k("limits", database, "threshold", "lock")

    def pacing_lock(self, database: int | str) -> str:
        return self._k("limits", database, "pace")

    def semaphore(self, integration: str, endpoint: str) -> str:
        return self._k("limits", "sem", _digest(integration), endpoint.lower())

    def instance_usage(self, instance_id: int | str, hour: int) -> str:
        """One instance's Autotask calls in one hour (a hash: `entity|outcome` -> count)."""
        return self._k("usage", instance_id, hour)

    def instance_usage_database(self, instance_id: int | str) -> str:
        """The database an instance last called (its threshold use is read from there)."""
        return self._k("usage", instance_id, "database")

    # -- hub caches ----------------------------------------------------------------------
    def cache(self, instance_id: int | str, *parts: object) -> str:
        return self._k("cache", instance_id, *parts)

    def cache_database(self, database: str, *parts: object) -> str:
        """State one Autotask database's caches share across its instances (versions, members)."""
        return self._k("cachedb", _digest(database), *parts)

    def cache_index(self, instance_id: int | str) -> str:
        return self._k("cache", instance_id, "index")

    def invalidation_channel(self) -> str:
        """The pub/sub channel on which writers name what changed (see storage.local_cache)."""
        return self._k("invalidations")

    def idempotency(self, instance_id: int | str, key_digest: str) -> str:
        """The first outcome of a hub create sent with this Idempotency-Key (24 h)."""
        return self._k("idem", instance_id, key_digest)

    def sorted_result(self, instance_id: int | str, result_id: str) -> str:
        """The ids of a result sorted in memory, waiting for its next pages."""
        return self._k("sorted", instance_id, result_id)

    def page_cursors(self, instance_id: int | str, query_digest: str) -> str:
        """Hash: page number -> the signed position where that page of one listing starts."""
        return self._k("pages", instance_id, query_digest)

    # -- virtual resources: one hash per owner, field = the resource's name -------------
    def definitions(self, scope: str, owner: int | str) -> str:
        """Definitions of an organization (`scope` "org") or an instance ("instance")."""
        return self._k("vdr", scope, owner, "defs")

    def transformations(self, scope: str, owner: int | str, element: str) -> str:
        return self._k("vdr", scope, owner, "xfs", element)

    def vdr_version(self, org_id: int | str) -> str:
        """A counter of the organization's transformation changes (no TTL: not a cache)."""
        return self._k("vdr", "org", org_id, "version")

    # -- bulk jobs: a hash per job, its parts, an index per instance ---------------------
    def bulk_job(self, job_id: int | str) -> str:
        return self._k("bulk", "job", job_id)

    def bulk_part(self, job_id: int | str, part: str) -> str:
        """A job's `chunks`, `errors`, `input`, `staged`, `rows` or `lease`."""
        return self._k("bulk", "job", job_id, part)

    def bulk_jobs(self, instance_id: int | str) -> str:
        return self._k("bulk", "instance", instance_id, "jobs")

    def bulk_active(self) -> str:
        """Jobs not yet ended, for the sweep that resumes a dead worker's job."""
        return self._k("bulk", "active")

    # -- background jobs (connector.jobs): RQ queues per kind, periodic schedules ----------
    def jobs_queue(self, kind: str) -> str:
        """The RQ queue's name for one kind of work (RQ adds its own `rq:queue:` in front)."""
        return self._k("jobs", kind)

    def jobs_schedules(self) -> str:
        """Hash: schedule name -> its JSON definition (kind, function, interval)."""
        return self._k("jobs", "schedules")

    def jobs_schedules_due(self) -> str:
        """Sorted set: schedule name -> the time its next tick is due."""
        return self._k("jobs", "schedules", "due")

    def jobs_tick(self, name: str, tick: int) -> str:
        """The lock of one schedule's tick: whoever sets it (NX) enqueues that tick's job."""
        return self._k("jobs", "tick", name, tick)

    # -- formulas: templates, formula instances, executions, per-instance state ---------
    def formula(self, formula_id: int | str) -> str:
        return self._k("formula", formula_id)

    def org_formulas(self, org_id: int | str) -> str:
        return self._k("org", org_id, "formulas")

    def formula_instance(self, instance_id: int | str) -> str:
        return self._k("formula", "instance", instance_id)

    def formula_instances(self, formula_id: int | str) -> str:
        """The ids of a template's formula instances."""
        return self._k("formula", formula_id, "instances")

    def element_formula_instances(self, element_instance_id: int | str) -> str:
        """The ids of the formula instances running on an element instance."""
        return self._k("instance", element_instance_id, "formula-instances")

    def formula_execution(self, execution_id: int | str) -> str:
        return self._k("formula", "execution", execution_id)

    def formula_executions(self, instance_id: int | str) -> str:
        """A formula instance's execution ids, scored by creation time (ms)."""
        return self._k("formula", "instance", instance_id, "executions")

    def formula_state(self, instance_id: int | str, key: str) -> str:
        """One value of a formula instance's `state` steps (the tenant's key, digested)."""
        return self._k("formula", "instance", instance_id, "state", _digest(key))

    def formula_record_queue(self, instance_id: int | str, record: str) -> str:
        """Executions waiting in event order for one record (a list of execution ids)."""
        return self._k("formula", "instance", instance_id, "record", _digest(record))

    def formula_cron_tick(self, instance_id: int | str, trigger: str, tick: int) -> str:
        """Taken by the one worker that starts a schedule trigger's run for a cron tick."""
        return self._k("formula", "instance", instance_id, "cron", trigger, tick)

    def formula_event_seen(self, instance_id: int | str, event_id: str) -> str:
        """Set once per (formula instance, event): one execution per event."""
        return self._k("formula", "instance", instance_id, "event", _digest(event_id))

    def formula_execution_lock(self, execution_id: int | str) -> str:
        """Held (with a TTL, renewed per step) by the one job running an execution."""
        return self._k("formula", "execution", execution_id, "lock")

    def formula_execution_done(self, execution_id: int | str) -> str:
        """A list pushed when an execution ends or waits, for `?sync=true` callers."""
        return self._k("formula", "execution", execution_id, "done")

    def formulas_running(self) -> str:
        """Running executions scored by lease end: a dead worker's are resumed past it."""
        return self._k("formula", "running")

    def formulas_scheduled(self) -> str:
        """Formula instances whose template has a schedule trigger."""
        return self._k("formula", "scheduled")

    def formula_cron_last(self) -> str:
        """Hash `{instance id}:{trigger}` -> the last time its cron was checked (epoch s)."""
        return self._k("formula", "cron-last")

    # -- events: Autotask webhooks and deletions (connector.events.webhooks, .deletions) ------
    def webhook_hook(self, hook_id: str) -> str:
        """The instance an intake hook id belongs to, and its sealed secret (the id is
        random, so it is digested: a key name never carries it)."""
        return self._k("events", "hook", _digest(hook_id))

    def webhook_instance(self, instance_id: int | str) -> str:
        """An instance's hook id (sealed) and, per Autotask entity, its webhook (a hash)."""
        return self._k("events", "instance", instance_id, "webhooks")

    def webhook_seen(self, guid: str, sequence: int) -> str:
        """Set once per (webhook GUID, SequenceNumber): a repeated callout is dropped."""
        return self._k("events", "callout-seen", _digest(f"{guid}\0{sequence}"))

    def webhook_callouts(self) -> str:
        """The stream of accepted callouts, read by the intake's drain job."""
        return self._k("events", "callouts")

    def deleted_tickets_cursor(self, instance_id: int | str) -> str:
        """The last DeletedTicketLogs id reported for an instance."""
        return self._k("events", "instance", instance_id, "deleted-tickets")

    def reconcile_ids(self, instance_id: int | str, resource: str) -> str:
        """The ids a resource's last reconcile sweep saw (a set)."""
        return self._k("events", "instance", instance_id, "reconcile", resource)

    def deletions_state(self, instance_id: int | str) -> str:
        """Per resource, how its deletions are found and why (a hash of JSON)."""
        return self._k("events", "instance", instance_id, "deletions")

    # -- events (connector.events): intake, the event log, deliveries -------------------
    def events_intake(self, instance_id: int | str) -> str:
        """Stream: changes submitted by the sources, waiting for read-back and rendering."""
        return self._k("events", instance_id, "intake")

    def events_intake_active(self) -> str:
        """Set: instances whose intake holds changes (the sweep renders what a dead worker
        left)."""
        return self._k("events", "intake", "active")

    def events_intake_lock(self, instance_id: int | str) -> str:
        """Held by the one worker rendering an instance's intake."""
        return self._k("events", instance_id, "intake", "lock")

    def events_render_due(self, instance_id: int | str) -> str:
        """Set while a render job of the instance is queued (submits meanwhile queue none)."""
        return self._k("events", instance_id, "intake", "due")

    def events_log(self, instance_id: int | str) -> str:
        """Stream: the instance's normalized events, trimmed by age (the event log)."""
        return self._k("events", instance_id, "log")

    def event(self, event_id: str) -> str:
        """Hash: one event's instance, log entry, status and attempts (expires with the log)."""
        return self._k("events", "event", event_id)

    def events_delivery(self, instance_id: int | str) -> str:
        """Hash: the instance's delivery state (cursor, failing since, parked, next attempt)."""
        return self._k("events", instance_id, "delivery")

    def events_delivery_due(self, instance_id: int | str) -> str:
        """Set while a delivery job of the instance is queued or waits for its retry."""
        return self._k("events", instance_id, "delivery", "due")

    def events_delivery_lease(self, instance_id: int | str) -> str:
        """Held by the one worker delivering an instance's events (renewed while it works)."""
        return self._k("events", instance_id, "delivery", "lease")

    def events_delivery_active(self) -> str:
        """Set: instances with events not yet delivered (the sweep restarts their delivery)."""
        return self._k("events", "delivery", "active")

    def events_status(self, instance_id: int | str) -> str:
        """Hash: per resource, how its changes are found (webhook or polling, why, last poll,
        cursor), written by the sources and read by GET /instances/{id}/events/status."""
        return self._k("events", instance_id, "status")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]
