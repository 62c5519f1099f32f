"""Keys of background work: bulk jobs, RQ queues and schedules, formulas."""

from __future__ import annotations

from connector.storage.key_base import KeyBase, digest


class WorkKeys(KeyBase):
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

    def org_formula_instances(self, org_id: int | str) -> str:
        """The ids of an organization's formula instances (for its count cap)."""
        return self._k("org", org_id, "formula-instances")

    def org_formula_instances_backfilled(self) -> str:
        """Set once every formula instance stored before the per-organization index existed
        is in it (connector.formulas.org_index); holds the last id the walk covered."""
        return self._k("formula", "org-index-backfilled")

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

    def formula_execution_summary(self, execution_id: int | str) -> str:
        """An execution's few listing fields (a listing never loads whole documents)."""
        return self._k("formula", "execution", execution_id, "summary")

    def formula_org_executions(self, org_id: int | str, part: str) -> str:
        """An organization's executions for its budget: `all` and `ended` (zsets of ids by
        creation ms), `sizes` (hash: id -> "bytes:formula instance id", and `_total`)."""
        return self._k("formula", "org", org_id, "executions", part)

    def formula_state_index(self, instance_id: int | str, part: str) -> str:
        """A formula instance's state values for its budget: `expiry` (zset: value key ->
        expiry ms) and `sizes` (hash: value key -> bytes, and `_total`)."""
        return self._k("formula", "instance", instance_id, "state-index", part)

    def formula_org_state_index(self, organization_id: int | str, part: str) -> str:
        """An organization's formula state for its budget: `sizes` (hash: formula instance id
        -> its bytes, and `_sum`) and `expiry` (zset: formula instance id -> its last expiry)."""
        return self._k("formula", "org", organization_id, "state-index", part)

    def formula_state(self, instance_id: int | str, key: str) -> str:
        """One value of a formula instance's `state` steps (the tenant's key, digested)."""
        return self._k("formula", "instance", instance_id, "state", digest(key))

    def formula_record_queue(self, instance_id: int | str, record: str) -> str:
        """Executions waiting in event order for one record (a list of execution ids)."""
        return self._k("formula", "instance", instance_id, "record", digest(record))

    def formula_cron_tick(self, instance_id: int | str, trigger: str, tick: int) -> str:
        """Taken by the one worker that starts a schedule trigger's run for a cron tick."""
        return self._k("formula", "instance", instance_id, "cron", trigger, tick)

    def formula_event_seen(self, instance_id: int | str, event_id: str) -> str:
        """Set once per (formula instance, event): one execution per event."""
        return self._k("formula", "instance", instance_id, "event", digest(event_id))

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
