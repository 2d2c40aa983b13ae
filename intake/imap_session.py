"""One logged-in IMAP connection to the intake folder: the protocol steps the poller needs.

Fetching uses BODY.PEEK[] so that reading never marks a message; only `acknowledge`, called
after the spool has committed, changes the mailbox.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

SEEN, DELETED = b"\\Seen", b"\\Deleted"
IDLE_RENEW_SECONDS = 29 * 60  # RFC 2177: servers may drop an IDLE after 30 minutes
IDLE_TICK_SECONDS = 1.0  # how often a waiting IDLE looks at the stop event
_NEWS = {b"EXISTS", b"RECENT", b"BYE"}


class ImapSession:
    """Not thread-safe, and not reusable after an error: the poller drops it and reconnects."""

    def __init__(self, host: str, port: int, ssl: bool, timeout: float) -> None:
        self.client = IMAPClient(host, port, ssl=ssl, timeout=timeout)
        self._folders_ready: set[str] = set()
        self._selected: tuple[str, int | None] | None = None  # folder, UIDNEXT when selected

    def login(self, username: str, password: str) -> None:
        self.client.login(username, password)

    def select(self, folder: str) -> int:
        """Select (again, so the server reports what arrived) and return the UIDVALIDITY."""
        state = self.client.select_folder(folder)
        uidnext = state.get(b"UIDNEXT")
        self._selected = (folder, int(uidnext) if uidnext is not None else None)
        return int(state[b"UIDVALIDITY"])

    def arrived_since_select(self) -> bool:
        """Dovecot leaves out of a SEARCH a message it announces in the same response, and an
        IDLE begun afterwards does not report it again; STATUS on the selected folder answers
        from the session's stale view. So select again and compare UIDNEXT before idling."""
        if self._selected is None or self._selected[1] is None:
            return False
        folder, uidnext = self._selected
        fresh = self.client.select_folder(folder).get(b"UIDNEXT")
        return fresh is not None and int(fresh) != uidnext

    def uids_after(self, last_uid: int) -> list[int]:
        # `UID n:*` always matches the highest UID, even when it is <= n: hence the filter.
        found = self.client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def unacknowledged(self, last_uid: int, moving: bool) -> list[int]:
        """Spooled (UID <= last_uid) but not yet flagged or moved: a crash came in between."""
        if last_uid < 1:
            return []
        criteria: list[Any] = ["UID", f"1:{last_uid}"] + ([] if moving else ["UNSEEN"])
        return sorted(uid for uid in self.client.search(criteria) if uid <= last_uid)

    def fetch(self, uids: Sequence[int]) -> list[tuple[int, bytes]]:
        """Raw messages in UID order; a UID expunged meanwhile by someone else is left out."""
        response = self.client.fetch(list(uids), ["BODY.PEEK[]"])
        found = ((uid, response.get(uid, {}).get(b"BODY[]")) for uid in uids)
        return [(uid, bytes(raw)) for uid, raw in found if raw is not None]

    def acknowledge(self, uids: Sequence[int], processed_folder: str | None) -> None:
        """Flag \\Seen, or move to the processed folder (COPY, \\Deleted, EXPUNGE without MOVE)."""
        if not uids:
            return
        if processed_folder is None:
            self.client.add_flags(list(uids), [SEEN], silent=True)
            return
        self._ensure_folder(processed_folder)
        if self.client.has_capability("MOVE"):
            self.client.move(list(uids), processed_folder)
            return
        self.client.copy(list(uids), processed_folder)
        self.client.add_flags(list(uids), [DELETED], silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(list(uids))
        else:  # also expunges anything else flagged \Deleted in the folder: the best there is
            self.client.expunge()

    def _ensure_folder(self, folder: str) -> None:
        if folder in self._folders_ready:
            return
        if not self.client.folder_exists(folder):
            try:
                self.client.create_folder(folder)
            except IMAPClientError:
                if not self.client.folder_exists(folder):  # else another poller created it
                    raise
        self._folders_ready.add(folder)

    def wait(self, seconds: float, stop: threading.Event, idle: bool) -> None:
        """Return when the folder may have news, after `seconds`, or about a tick after `stop`."""
        if self.arrived_since_select():
            return
        if not (idle and self.client.has_capability("IDLE")):
            stop.wait(seconds)
            return
        deadline = time.monotonic() + min(seconds, IDLE_RENEW_SECONDS)
        self.client.idle()
        try:
            while not stop.is_set():
                tick = min(IDLE_TICK_SECONDS, deadline - time.monotonic())
                if tick <= 0:
                    return
                began = time.monotonic()
                responses = self.client.idle_check(timeout=tick)
                if any(_is_news(r) for r in responses):
                    return
                if not responses and time.monotonic() - began < tick / 2:
                    return  # readable but no whole line: usually a closed socket; look now
        finally:
            self.client.idle_done()

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone; drop it anyway
            with contextlib.suppress(Exception):
                self.client.shutdown()


def _is_news(response: Any) -> bool:
    return isinstance(response, tuple) and any(
        isinstance(part, bytes) and part.upper() in _NEWS for part in response[:2]
    )
