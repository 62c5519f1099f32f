"""Polling as an event source (issue #13): for instances with `event.vendor.type=polling`, and
for the resources Autotask cannot webhook (opportunities) or whose webhook was refused.

    watermark  per (instance, resource): the last change value reported and the edge's ids
    poller     one poll: `{changed field} >= watermark - overlap`, the edge's repeats
               suppressed, rows handed to the pipeline with their record (no read-back)
    schedules  one schedule per (instance, resource), every `event.poller.refresh_interval`,
               put and removed as the instance's events go on, off or away; the poll job

An idle poll costs one Autotask call per resource; a poll finding N changes ceil(N/500).
"""

from __future__ import annotations

from connector.events.polling.poller import Poller
from connector.events.polling.schedules import on_change, poll_job, polled_resources

__all__ = ["Poller", "on_change", "poll_job", "polled_resources"]
