"""The organization's bound on executions not yet ended, met while no job worker runs: each
test starts its worker (if any) itself, after the executions it means to hold back are in
line, so these stay out of tests/formulas/test_engine.py's module-wide worker."""

from __future__ import annotations

from connector.formulas import limits
from connector.formulas.events import on_event
from tests.formulas.conftest import (
    calling,
    event_template,
    install_formula,
    post_execution,
    run_wait,
)


def test_an_organization_has_a_bounded_number_of_executions_not_yet_ended(
    client, tenant, make_tenant, make_instance, receiver, settings, job_workers, monkeypatch
):
    # a template whose httpRequest calls the service's own manual trigger (its public URL is
    # a public address) starts executions that start executions: the organization's share
    # of not-yet-ended executions bounds it, and another organization is not held up
    monkeypatch.setattr(limits, "MAX_PENDING_EXECUTIONS", 2, raising=False)
    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    answers = [post_execution(client, tenant, instance["id"], {"n": n}) for n in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]  # no worker yet: both wait
    assert "not yet ended" in answers[2].get_json()["message"]
    assert answers[2].headers["Retry-After"]
    other = make_tenant()
    _, theirs = install_formula(client, other, calling(receiver.url + "/in"), receiver.url + "/in")
    assert post_execution(client, other, theirs["id"], {"n": 9}).status_code == 202
    job_workers.start(settings, queues="formulas")
    for answer in answers[:2]:
        assert run_wait(client, tenant, answer.get_json()["id"])["status"] == "SUCCESS"
    assert post_execution(client, tenant, instance["id"], {"n": 3}).status_code == 202


def test_events_may_wait_in_a_longer_line_than_manual_triggers(
    client, tenant, element_instance, receiver, formulas_env, monkeypatch
):
    # a burst of Autotask changes waits in line; a refused event is not marked seen
    monkeypatch.setattr(limits, "MAX_PENDING_EXECUTIONS", 1, raising=False)
    monkeypatch.setattr(limits, "MAX_PENDING_EVENT_EXECUTIONS", 3, raising=False)
    target = receiver.url + "/ev"
    install_formula(client, tenant, event_template(target), target, crm=element_instance["id"])

    def event(n: int) -> dict:
        return {"eventId": f"b{n}", "objectType": "contacts", "objectId": n, "eventType": "UPDATED"}

    element = element_instance["id"]
    started = [on_event(formulas_env, element, event(n)) for n in range(4)]  # no worker
    assert [len(ids) for ids in started] == [1, 1, 1, 0]
    monkeypatch.setattr(limits, "MAX_PENDING_EVENT_EXECUTIONS", 4, raising=False)
    assert len(on_event(formulas_env, element, event(3))) == 1  # not marked seen when refused
