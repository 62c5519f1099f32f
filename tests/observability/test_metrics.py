"""GET /metrics: Prometheus text that moves by exactly the calls a test makes, behind an
optional METRICS_TOKEN, with no secret or tenant data in a label."""

from __future__ import annotations

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from connector.app import create_app
from connector.observability import queues

BASE = "/elements/api-v2"
LIST_ROUTE = BASE + "/hubs/{hub}/{name}"


def scrape(url: str, **headers: str) -> dict[tuple[str, tuple], float]:
    response = requests.get(url + "/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_upstream_calls_and_cache_move_by_exactly_the_calls_made(
    connect_hub, sandbox, live_server
):
    hub = connect_hub(sandbox)
    cached = connect_hub(sandbox, cachingEnabled=True)
    contact = sandbox.ids("Contacts")[0]
    before = scrape(live_server.url)
    for _ in range(3):
        assert hub.get("contacts", pageSize=2).status_code == 200
    assert requests.get(live_server.url + BASE + "/no/such/path", timeout=10).status_code == 404
    first = cached.get(f"contacts/{contact}")
    second = cached.get(f"contacts/{contact}")
    assert (first.headers["Elements-Cache"], second.headers["Elements-Cache"]) == ("miss", "hit")
    after = scrape(live_server.url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests_total = "autotask_connector_http_requests_total"
    assert moved(requests_total, method="GET", route=LIST_ROUTE, status="200") == 3
    assert moved(requests_total, method="GET", route="unmatched", status="404") == 1
    record_route = LIST_ROUTE + "/{record_id}"
    assert moved(requests_total, method="GET", route=record_route, status="200") == 2
    count = "autotask_connector_http_request_duration_seconds_count"
    assert moved(count, method="GET", route=LIST_ROUTE) == 3
    upstream = "autotask_connector_autotask_requests_total"
    calls = {"entity": "Contacts", "outcome": "ok", "retry": "false"}
    # three list pages and one record read reached Autotask; the cached read did not
    assert moved(upstream, kind="query", **calls) == 3
    assert moved(upstream, kind="get", **calls) == 1
    assert moved("autotask_connector_cache_lookups_total", result="hit") == 1
    assert moved("autotask_connector_cache_lookups_total", result="miss") == 1


def test_an_upstream_retry_is_counted_with_its_outcome(hub, sandbox, live_server):
    before = scrape(live_server.url)
    sandbox.set_faults(kind="error", status=503, count=1, path_contains="Contacts/query")
    assert hub.get("contacts", pageSize=1).status_code == 200
    after = scrape(live_server.url)
    name = "autotask_connector_autotask_requests_total"
    labels = {"entity": "Contacts", "kind": "query"}
    failed = dict(labels, outcome="unavailable", retry="false")
    retried = dict(labels, outcome="ok", retry="true")
    assert value(after, name, **failed) - value(before, name, **failed) == 1
    assert value(after, name, **retried) - value(before, name, **retried) == 1


def test_the_threshold_share_is_a_gauge_per_database(hub, live_server):
    assert hub.get("contacts", pageSize=1).status_code == 200
    samples = scrape(live_server.url)
    shares = {
        dict(labels)["database"]: v
        for (name, labels), v in samples.items()
        if name == "autotask_connector_autotask_threshold_used_ratio"
    }
    assert shares and all(0 <= v <= 1 for v in shares.values())


def test_queue_depths_registered_by_their_owners_are_read_at_scrape_time(live_server):
    depth = {"value": 7}
    queues.register_queue("test-queue", lambda: depth["value"])
    queues.count_job("test-queue", "done")
    try:
        samples = scrape(live_server.url)
        assert value(samples, "autotask_connector_queue_depth", queue="test-queue") == 7
        depth["value"] = 2
        samples = scrape(live_server.url)
        assert value(samples, "autotask_connector_queue_depth", queue="test-queue") == 2
        assert value(samples, "autotask_connector_jobs_total", queue="test-queue", outcome="done")
    finally:
        queues.register_queue("test-queue", lambda: 0)


def test_no_secret_or_token_appears_in_the_metrics(hub, sandbox, live_server):
    assert hub.get("contacts", pageSize=1).status_code == 200
    text = requests.get(live_server.url + "/metrics", timeout=10).text
    secrets = [part.split()[1] for part in hub.headers["Authorization"].split(",")]
    assert len(secrets) == 3  # user, organization, element token
    for secret in [*secrets, sandbox.credentials.secret, sandbox.credentials.username]:
        assert secret not in text
    assert "ada@" not in text and "/contacts?" not in text


def test_metrics_token_is_required_when_set(settings):
    app = create_app(settings.with_overrides(metrics_token="scrape-me-please"))
    try:
        client = app.test_client()
        refused = client.get("/metrics")
        assert refused.status_code == 401
        assert "Bearer" in refused.get_json()["message"]
        assert "scrape-me-please" not in refused.get_data(as_text=True)
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        good = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert good.status_code == 200
        assert b"autotask_connector_http_requests_total" in good.data
    finally:
        app.extensions["connector.deps"].local.close()


@pytest.mark.parametrize("kind", ["bulk", "formulas", "events"])
def test_every_job_queue_depth_is_its_rq_queue_length(app, live_server, kind):
    jobs = app.extensions["connector.bulk"].jobs
    rq_queue = jobs.queue(kind)
    job = jobs.enqueue(kind, "builtins.len", "x")  # waits: no RQ worker listens in this test
    try:
        depth = value(scrape(live_server.url), "autotask_connector_queue_depth", queue=kind)
        assert depth == rq_queue.count >= 1
    finally:
        job.delete()
    assert value(scrape(live_server.url), "autotask_connector_queue_depth", queue=kind) == (
        rq_queue.count
    )


def test_a_method_of_the_callers_choosing_is_not_a_label_of_its_own(live_server):
    """Any token is an HTTP method: each one a caller invents would be a new series in every
    worker's samples file and in every scrape."""
    for n in range(5):
        answer = requests.request(f"PROBE{n}", live_server.url + BASE + "/instances", timeout=10)
        assert answer.status_code in (401, 405), answer.status_code
    samples = scrape(live_server.url)
    methods = {
        dict(labels).get("method")
        for (name, labels) in samples
        if name == "autotask_connector_http_requests_total"
    }
    assert not any(str(m).startswith("PROBE") for m in methods), methods
    assert "other" in methods
