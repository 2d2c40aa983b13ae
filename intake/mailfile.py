"""The embedded mail deliverer: each outbound e-mail becomes an .eml file a newcomer can read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from intake.outbound import build_email


class MailFileDeliverer:
    def __init__(self, directory: Path, sender_name: str, sender_email: str) -> None:
        self.directory, self.sender_name, self.sender_email = directory, sender_name, sender_email

    def deliver(self, row_id: int, payload: dict[str, Any]) -> None:
        """Named by outbox row and written atomically: a repeat overwrites, never doubles."""
        message = build_email(payload, self.sender_name, self.sender_email)
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{row_id:08d}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(tmp, target)
