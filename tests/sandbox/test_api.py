"""The request pipeline's answers: always JSON, whatever fails."""

from __future__ import annotations

from connector.sandbox import api


def test_a_failure_while_routing_is_a_json_500_not_an_html_page(sandbox, monkeypatch):
    def broken_resolve(*args, **kwargs):  # a fake: no real request makes routing itself crash
        raise RuntimeError("routing broke")

    monkeypatch.setattr(api, "resolve", broken_resolve)
    answer = sandbox.call("GET", "Companies/0")
    assert answer.status_code == 500
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"errors": ["An unexpected error has occurred."]}
    assert sandbox.requests("Companies/0")[-1]["status"] == 500
