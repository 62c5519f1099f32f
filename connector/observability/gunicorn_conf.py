"""gunicorn settings for the Procfile (`--config python:connector.observability.gunicorn_conf`):
the metrics folder is prepared in the master before any worker imports prometheus-client."""

from __future__ import annotations

from connector.observability import multiproc

multiproc.prepare()
child_exit = multiproc.child_exit
