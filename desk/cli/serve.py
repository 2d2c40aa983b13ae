"""`switchdesk serve`: the long-lived desk; stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import gc
import logging
import signal
import threading

import click

from desk.bootstrap import App
from desk.cli.context import pass_app

log = logging.getLogger("switchdesk")


@click.command()
@pass_app
def serve(app: App) -> None:
    """Run the desk: migrate, then the outbox worker (and each configured channel)."""
    logging.basicConfig(
        level=app.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # a line per tick
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
        smtp.start()
    for thread in threads:
        thread.start()
    schedule = app.broadcast_schedule()
    schedule.start()
    # Start-up objects live as long as the process: keep them out of full GC passes, which
    # otherwise add 30-100 ms pauses to request handling.
    gc.freeze()
    log.info("switchdesk is running; Ctrl-C stops it")
    while not stop.wait(0.5):
        pass
    if smtp is not None:
        smtp.stop()
    schedule.stop()
    app.spooler.wake.set()
    for thread in threads:
        thread.join(timeout=30)
    log.info("switchdesk stopped")
