"""The backfill of the per-organization formula instance index (#11) ran once per deployment
(found by a hostile review): the first process on the new code set a marker and every later
process skipped. DESIGN runs several hosts behind a load balancer, so an
upgrade is a rolling one: while hosts still on the code before c65a48b serve, they store
formula instances the old way (no organization index) after the marker was set, and no
walk ever picks those up. A tenant creating during the roll-out keeps instances the cap
never counts. Each walk now goes on from the last id walked.

Real Redis, the app over its test client, the sandbox as Autotask."""

from __future__ import annotations

import pytest

from connector.formulas.org_index import OrgIndexBackfill
from connector.storage.redis_conn import get_keys, get_redis
from tests.formulas.test_org_index import CAP, _install, _store_the_old_way


@pytest.fixture
def service(app):
    found = app.extensions["connector.formulas"]["service"]
    found.instance_cap.limit = CAP  # the shipped 1,000
    return found


def test_an_instance_an_old_host_stored_after_the_marker_counts_against_the_cap(
    app, client, tenant, element_instance, service
):
    redis, keys = get_redis(app), get_keys(app)
    first = _install(client, tenant, element_instance["id"])  # a new host: walks, sets marker
    assert first.status_code == 200, first.get_data(as_text=True)
    assert redis.exists(keys.org_formula_instances_backfilled())

    # a host still on the code before the organization index, during the roll-out
    _store_the_old_way(redis, keys, tenant.organization_id, element_instance["id"])

    # the roll-out ends; a host (re)started on the new code makes the next create
    service.org_index = OrgIndexBackfill(redis, keys)
    refused = _install(client, tenant, element_instance["id"])
    assert refused.status_code == 409, refused.get_data(as_text=True)  # it holds CAP already
