"""A real Dovecot on a loopback port for IMAP tests, and small client helpers to drive it.

The server root is a short directory under /tmp, not pytest's tmp_path: Dovecot's unix sockets
must fit in 107 bytes, and (under root) the `dovecot` user must be able to enter every parent
directory. A module-scoped server with a fresh user name per test keeps tests apart cheaply.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from imapclient import IMAPClient

from scripts.dovecot import PASSWORD, DovecotServer, DovecotUnavailable, binary, start, stop
from tests.conftest import service_missing

__all__ = ["DovecotServer", "append", "dovecot_server", "flags", "imap_client", "mailbox_for"]


@contextmanager
def dovecot_server() -> Iterator[DovecotServer]:
    """A running Dovecot for the block; skips (or fails under REQUIRE_SERVICES=1) without one."""
    if binary() is None:
        service_missing("Dovecot (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    root.chmod(0o755)
    try:
        try:
            server = start(root)
        except DovecotUnavailable as exc:
            service_missing(f"Dovecot ({exc})")
        try:
            yield server
        finally:
            stop(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def mailbox_for(server: DovecotServer, user: str) -> DovecotServer:
    """The same server as another user: any name logs in, and each gets an empty Maildir."""
    return server._replace(user=user, maildir=server.maildir.parent / user)


@contextmanager
def imap_client(server: DovecotServer, folder: str | None = None) -> Iterator[IMAPClient]:
    client = IMAPClient(server.host, server.port, ssl=False, timeout=10)
    try:
        client.login(server.user, PASSWORD)
        if folder is not None:
            client.select_folder(folder)
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the test is over; a dead connection is fine
            client.shutdown()


def append(server: DovecotServer, messages: Iterable[bytes], folder: str = "INBOX") -> list[int]:
    """APPEND each message (creating the folder if need be); returns their UIDs."""
    uids = []
    with imap_client(server) as client:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for raw in messages:
            response = client.append(folder, raw)
            uids.append(int(response.split(b"APPENDUID ")[1].split()[1].rstrip(b"]")))
    return uids


def flags(server: DovecotServer, folder: str = "INBOX") -> dict[int, set[bytes]]:
    """UID -> flags of every message in the folder (read-only, so nothing changes)."""
    with imap_client(server) as client:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, ["FLAGS"]) if uids else {}
        return {uid: set(data[b"FLAGS"]) for uid, data in fetched.items()}
