"""Prometheus metrics: what the service counts, and the small API other parts call.

The service's own metrics live in `metrics.py` and are moved by the request hooks, the
Autotask caller and the hub cache. Queue owners (events, bulk, formulas) call `queues.py`:

    from connector.observability import queues
    queues.register_queue("events", lambda: rq_queue.count)   # depth, read at scrape time
    queues.count_job("events", "done")                         # done | failed | retried ...
    queues.observe_job_seconds("events", 0.42)

Under gunicorn every worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode) and `/metrics` adds them up; see `multiproc.py`.
Labels never carry a token, a secret or a tenant's data: routes are templates, entities come
from the client's own list, databases are capped in number.
"""
