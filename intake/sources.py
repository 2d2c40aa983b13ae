"""Messages from files for `switchdesk ingest`: .eml files, directories of them, mbox, Maildir."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path


class SourceError(Exception):
    """A path that holds no mail we can read."""


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def read_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield (source, raw bytes) for each message under `path`, in a stable order."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    if path.is_dir() and _is_maildir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys()):
            with box.get_file(key) as handle:
                yield f"{path}#{key}", handle.read()
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        for file in files:
            yield from read_messages(file)
    elif _is_mbox(path):
        box = mailbox.mbox(path, factory=None, create=False)
        for key in box.iterkeys():
            yield f"{path}#{key}", box.get_bytes(key)
    else:
        yield str(path), path.read_bytes()
