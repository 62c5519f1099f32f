"""The bounds every tenant's template lives within (sizes, counts, costs and times).

They are constants, not settings: a template that runs on one deployment runs on every other.
"""

from __future__ import annotations

# -- a template ----------------------------------------------------------------------------
MAX_STEPS = 50
MAX_TRIGGERS = 5
MAX_CONFIGURATION = 30
MAX_NAME_LENGTH = 64
MAX_TEMPLATE_BYTES = 256 * 1024
MAX_CASES = 30  # switch cases
MAX_SET_VALUES = 30

# -- what an organization holds (connector.tenancy.counts: then a 409) -----------------------
MAX_TEMPLATES = 200  # templates have no TTL: 200 of 256 KB is 50 MB at most
MAX_FORMULA_INSTANCES = 1000  # each may start executions by events and schedules

# -- expressions ---------------------------------------------------------------------------
MAX_EXPRESSION_LENGTH = 1000  # characters of one CEL expression
MAX_EXPRESSION_DEPTH = 300  # nodes from the root of a parse tree to its deepest leaf
MAX_EVALUATION_COST = 20_000  # parse-tree nodes visited by one evaluation, macros included
MAX_EVALUATION_SECONDS = 0.25  # CPU time of one evaluation (its thread's, not the wall clock)
MAX_RESULT_BYTES = 64 * 1024  # a computed value, as JSON
MAX_EVALUATION_BYTES = 4 * 1024 * 1024  # all the values one evaluation builds, as JSON

# -- runs ----------------------------------------------------------------------------------
MAX_TRIGGER_BYTES = 64 * 1024  # a manual trigger's body
MAX_STATE_VALUE_BYTES = 16 * 1024
MAX_STATE_TTL_SECONDS = 90 * 24 * 3600
MAX_STATE_KEYS = 50_000  # values one formula instance's state steps keep at once
MAX_STATE_BYTES = 16 * 1024 * 1024  # their keys and values together
MAX_ORG_STATE_BYTES = 64 * 1024 * 1024  # every formula instance of one organization together
MAX_RESPONSE_BYTES = 256 * 1024  # an httpRequest or elementRequest answer kept as step output
MAX_RENDERED_BYTES = 1024 * 1024  # what `${...}` references bring into one step property
MAX_STEP_RECORD_BYTES = 64 * 1024  # a step's input or output as its record shows it (else cut)
MAX_EXECUTION_BYTES = 8 * 1024 * 1024  # an execution's document in Redis (else it fails)
MAX_HTTP_TIMEOUT_SECONDS = 30.0
MAX_HTTP_ATTEMPTS = 5  # an httpRequest retried on a 5xx or a timeout
MAX_RETRY_ATTEMPTS = 7  # the retry step, as Cloud Elements bounds it
MAX_RETRY_DELAY_SECONDS = 3600
MAX_PENDING_EXECUTIONS = 1000  # an organization's executions not yet ended (then 429)
# an execution resumed this many times in a row with no step finished in between (its worker
# died or outlasted JOB_TIMEOUT at the same step each time) fails instead of a next resume
MAX_RESUMES_WITHOUT_PROGRESS = 3
# the same, for starts by events and schedules: a burst of Autotask changes (a bulk update)
# may wait in line per record; only a runaway is stopped (logged and skipped)
MAX_PENDING_EVENT_EXECUTIONS = 20_000
