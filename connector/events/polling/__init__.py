"""Polling as an event source (issue #13): for instances with `event.vendor.type=polling`, and
for the resources Autotask cannot webhook (opportunities) or whose webhook was refused.

    watermark  per (instance, resource): the last change value reported, where the next scan
               starts, the edge's ids and the scan under way
    scan       a time range [since, until) read page by page by id, over one poll or several
    poller     one poll: at most MAX_POLL_ROWS rows of the scan, each page handed to the
               pipeline with its records (no read-back) before the next is read
    stretch    a resource polled past AUTOTASK_THRESHOLD_SHARE rests STRETCH - 1 ticks
    schedules  one schedule per (instance, resource), every `event.poller.refresh_interval`,
               put and removed as the instance's events go on, off or away; the poll job,
               which queues the next poll at once while its scan has rows left

An idle poll costs one Autotask call per resource; N changed rows ceil(N/500), spread over
ceil(N / MAX_POLL_ROWS) polls.
"""

from __future__ import annotations

from connector.events.polling.poller import Poller
from connector.events.polling.schedules import on_change, poll_job, polled_resources

__all__ = ["Poller", "on_change", "poll_job", "polled_resources"]
