"""`switchdesk serve`: the long-lived desk; stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from typing import TYPE_CHECKING

import click

from desk.bootstrap import App
from desk.cli.context import pass_app
from desk.errors import InvalidInput

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.http_listener import HttpListener

log = logging.getLogger("switchdesk")


@click.command()
@pass_app
def serve(app: App) -> None:
    """Run the desk: migrate, then the outbox worker (and each configured channel)."""
    logging.basicConfig(
        level=app.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick; ours says more
    app.upgrade_database()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(
            sig, lambda signum, _frame: (log.info("signal %d: stopping", signum), stop.set())
        )
    worker = app.outbox_worker()
    log.info("database: %s", app.engine.url.render_as_string(hide_password=True))
    for note in app.notes:
        log.info(note)
    processor = app.inbound_processor
    threads = [
        threading.Thread(target=worker.run, args=(stop,), name="outbox"),
        threading.Thread(target=processor.run, args=(stop, app.spooler.wake), name="inbound"),
    ]
    imap = app.imap_poller()
    if imap is None:
        log.info("IMAP: not configured")
    else:
        threads.append(threading.Thread(target=imap.run, args=(stop,), name="imap"))
        log.info("IMAP: polling %s", imap.config.mailbox)
    smtp = app.smtp_server()
    if smtp is None:
        log.info("SMTP: off")
    else:
        try:
            smtp.start()
        except OSError as exc:  # the port is taken: mail would be refused, so do not run
            raise InvalidInput(
                f"SMTP cannot listen on {app.settings.smtp_listen} ({exc.strerror or exc}); "
                "set SWITCHDESK_SMTP_LISTEN to a free host:port, or off"
            ) from None
    for thread in threads:
        thread.start()
    http, socket_mode = _start_slack_inbound(app)
    schedule = app.broadcast_schedule()
    schedule.start()
    # Start-up objects live as long as the process: keep them out of full GC passes, which
    # otherwise add 30-100 ms pauses to request handling.
    gc.freeze()
    log.info("switchdesk is running; Ctrl-C stops it")
    while not stop.wait(0.5):
        pass
    if socket_mode is not None:
        socket_mode.close()
    if http is not None:
        http.stop()
    if smtp is not None:
        smtp.stop()
    schedule.stop()
    app.spooler.wake.set()
    for thread in threads:
        thread.join(timeout=30)
    log.info("switchdesk stopped")


def _start_slack_inbound(app: App) -> tuple[HttpListener | None, SocketModeHandler | None]:
    """The HTTP listener (/healthz, and /slack/events in HTTP mode) and Socket Mode."""
    s = app.settings
    if not s.slack_bot_token:
        log.info("Slack inbound: not configured (set SWITCHDESK_SLACK_BOT_TOKEN and a signing "
                 "secret or an app token)")
    http = None
    if s.http_listen == "off":
        log.info("HTTP: off")
    else:
        try:
            http = app.http_listener()
        except OSError as exc:  # the port is taken: the rest of the desk still runs
            log.error("HTTP: cannot listen on %s (%s); running without it", s.http_listen, exc)
    if http is not None:
        http.start()
        events = " and /slack/events" if http.server.bolt is not None else ""
        log.info("HTTP: listening on %s for /healthz%s", http.address, events)
    socket_mode = app.socket_mode()
    if socket_mode is not None:
        try:
            socket_mode.connect()
            log.info("Slack: Socket Mode connected")
        except Exception as exc:  # noqa: BLE001 - Slack unreachable or a bad app token
            log.error("Slack: Socket Mode could not connect (%s); running without it", exc)
            socket_mode = None
    return http, socket_mode
