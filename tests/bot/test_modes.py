"""HTTP mode over real HTTP (signatures, /healthz), Socket Mode envelopes, and serve's wiring."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from slack_sdk.socket_mode.request import SocketModeRequest

from bot.app import socket_mode
from bot.http_listener import HttpListener
from desk.bootstrap import App, build
from tests.bot.conftest import AGENT, open_ticket
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackSide, command_body, signed_headers, wait_for


def post(url: str, body: str, headers: dict[str, list[str]]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={k: v[0] for k, v in headers.items()})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_http_mode_checks_signatures_and_reports_health(demo_app: App, slack: SlackSide,
                                                        fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    listener = HttpListener("127.0.0.1", 0, slack.app, demo_app.health)
    listener.start()
    try:
        url = f"http://{listener.address}"
        body = command_body(AGENT, f"note {ref} by HTTP", "C0DESKTRI1", f"{fake.base_url}r1")
        form = "application/x-www-form-urlencoded"
        status, _ = post(f"{url}/slack/events", body, signed_headers(body, form, "wrong-secret"))
        assert status == 401
        status, _ = post(f"{url}/slack/events", body, signed_headers(body, form))
        assert status == 200
        assert wait_for(lambda: fake.calls_to("r1"))
        assert [m["body"] for m in demo_app.queries.show(ref)["messages"]
                if m["kind"] == "note"] == ["by HTTP"]  # fmt: skip
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"status": "ok", "database": True,
                                                   "slack": "off"}  # fmt: skip
    finally:
        listener.stop()


def test_healthz_runs_without_slack(app: App) -> None:
    app.settings.http_listen = "127.0.0.1:0"
    listener = app.http_listener()
    assert listener is not None and listener.server.bolt is None
    listener.start()
    try:
        url = f"http://{listener.address}"
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            assert json.loads(response.read())["database"] is True
        status, text = post(f"{url}/slack/events", "{}", {"content-type": ["application/json"]})
        assert status == 404 and "not configured" in text
    finally:
        listener.stop()
    broken = build(app.settings.model_copy(update={
        "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}))  # fmt: skip
    assert broken.health() == {"status": "degraded", "database": False, "slack": "off"}
    broken.close()


def test_socket_mode_envelope_runs_through_the_handler(demo_app: App, slack: SlackSide,
                                                       fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    handler = socket_mode(slack.app, "xapp-test")
    sent: list[object] = []
    handler.client.send_socket_mode_response = sent.append  # type: ignore[method-assign]
    payload = {"command": "/desk", "text": f"note {ref} over the socket", "user_id": AGENT,
               "channel_id": "C0DESKTRI1", "trigger_id": "t1",
               "response_url": f"{fake.base_url}r2"}  # fmt: skip
    handler.handle(handler.client, SocketModeRequest(type="slash_commands", envelope_id="E1",
                                                     payload=payload))  # fmt: skip
    assert sent and sent[0].envelope_id == "E1"  # type: ignore[attr-defined]
    assert wait_for(lambda: fake.calls_to("r2"))
    assert any(m["body"] == "over the socket" for m in demo_app.queries.show(ref)["messages"])
    handler.close()
