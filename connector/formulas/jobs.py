"""The formulas' job functions (RQ, the "formulas" queue). Arguments are ids only.

Each takes its FormulaEnv from the app the worker process built once (connector.jobs.current),
so jobs and requests use identically wired parts.
"""

from __future__ import annotations

from connector.formulas.engine import Engine
from connector.formulas.environment import EXTENSION, FormulaEnv
from connector.formulas.schedule import CRON_CHECK_SECONDS
from connector.formulas.schedule import cron_tick as _cron_tick


def _env() -> FormulaEnv:
    from connector import jobs

    return jobs.current().app.extensions[EXTENSION]["env"]


def run_execution(execution_id: int) -> None:
    """Run (or resume) one execution. Idempotent: see Engine.run."""
    Engine(_env()).run(int(execution_id))


def cron_tick() -> None:
    """Start the schedule triggers due now. Idempotent: each cron tick is claimed once."""
    _cron_tick(_env())


def sweep() -> None:
    """Resume executions whose worker died. Idempotent: a live execution holds its lock."""
    Engine(_env()).sweep()


def schedule_periodic(env: FormulaEnv) -> None:
    """Put the cron check and the sweep in the jobs' schedules (again: a put replaces)."""
    if env.jobs is None:
        return
    from connector.jobs import Schedules

    schedules = Schedules(env.jobs, env.redis)
    schedules.put("formulas-cron", "formulas", cron_tick, every=CRON_CHECK_SECONDS)
    schedules.put("formulas-sweep", "formulas", sweep, every=60.0)
