"""The outbox's Slack channel: ticket cards edited in place, threads, bulletins, alerts.

Rows arrive one at a time from the outbox worker (several threads may share one deliverer).
The desk is reached only through the `ChatStore` port, in short calls of their own, so no
database transaction is open while a call waits for its pacing slot or for Slack.

Duplicates are kept out three ways: a lock per (channel, thread) in this process, so a card
being posted is edited, not posted again, by the next row; the unique thread root in the
database across processes (the loser deletes its copy); and on a retried row, a look for the
message it may already have posted (every post carries its row's key as message metadata).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import alert_text, message_text, thread_line, ticket_card
from bot.pacing import ChannelPacer
from bot.slack_outcomes import error_code, failure_for
from desk.chat_port import ChatStore
from desk.delivery import PermanentFailure, TransientFailure

log = logging.getLogger("switchdesk.slack")

EVENT_TYPE = "switchdesk_post"
_STRIPES = 256
_EDITS_KEPT = 10_000


class SlackDeliverer:
    def __init__(self, client: WebClient, store: ChatStore, pacer: ChannelPacer) -> None:
        self.client, self.store, self.pacer = client, store, pacer
        self._stripes = [threading.Lock() for _ in range(_STRIPES)]
        self._edits: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._edits_lock = threading.Lock()

    def deliver(self, row_id: int, payload: dict[str, Any]) -> None:
        kind, channel = payload.get("kind"), payload.get("channel")
        try:
            if not channel:
                raise PermanentFailure("the row names no Slack channel")
            if kind in ("ticket_card", "ticket_update"):
                self._ticket(row_id, channel, str(payload.get("ref")), payload.get("line"))
            elif kind == "post":
                self._broadcast(row_id, channel, payload.get("text", ""), payload.get("thread_key"))
            elif kind == "alert":
                self._post(row_id, channel, alert_text(payload.get("text", "")), step="alert")
            else:
                raise PermanentFailure(f"unknown Slack payload kind {kind!r}")
        except PermanentFailure as exc:
            if kind != "alert":  # never alert about a failing alert
                self.store.alert(f"outbox row {row_id} ({kind} to {channel}, "
                                 f"{payload.get('ref') or payload.get('thread_key') or '-'}) "
                                 f"failed for good: {exc}. Fix it, then "
                                 f"`switchdesk outbox retry {row_id}`.")  # fmt: skip
            raise

    # --- tickets ---------------------------------------------------------------------------

    def _ticket(self, row_id: int, channel: str, ref: str, line: str | None) -> None:
        with self._stripe(channel, ref):
            card = self.store.card(ref)
            if card is None:
                raise PermanentFailure(f"no ticket {ref}")
            text, blocks = ticket_card(card)
            root = self.store.thread_root(channel, ref)
            if root is None:
                root, won = self._post_root(row_id, channel, ref, text, blocks, ref)
                if not won:
                    self._edit(row_id, channel, ref, root, text, blocks)
            else:
                root = self._edit(row_id, channel, ref, root, text, blocks)
        if line:
            self._post(row_id, channel, thread_line(ref, line), thread_ts=root, step="line")

    def _edit(self, row_id: int, channel: str, ref: str, ts: str, text: str,
              blocks: list[dict[str, Any]]) -> str:  # fmt: skip
        """Edit the card in place (unless it already shows this); return the card's ts."""
        digest = hashlib.sha256(json.dumps([text, blocks], sort_keys=True).encode()).hexdigest()
        with self._edits_lock:
            if self._edits.get((channel, ts)) == digest:
                return ts
        try:
            args = {"channel": channel, "ts": ts, "text": text, "blocks": blocks}
            self._call("chat.update", args)
        except PermanentFailure as exc:
            if "message_not_found" not in str(exc):
                raise
            log.warning("%s: the card in %s is gone; posting it again", ref, channel)
            ts = self._post(row_id, channel, text, blocks=blocks, step="card")
            self.store.replace_root(channel, ref, ts)
        self._remember(channel, ts, digest)
        return ts

    def _remember(self, channel: str, ts: str, digest: str) -> None:
        with self._edits_lock:
            self._edits[(channel, ts)] = digest
            self._edits.move_to_end((channel, ts))
            while len(self._edits) > _EDITS_KEPT:
                self._edits.popitem(last=False)

    # --- bulletins and changes -------------------------------------------------------------

    def _broadcast(self, row_id: int, channel: str, text: str, thread_key: str | None) -> None:
        """Every post of one stream (a bulletin, a change) lands in one thread."""
        text = message_text(text)
        if not thread_key:
            self._post(row_id, channel, text, step="post")
            return
        with self._stripe(channel, thread_key):
            root = self.store.thread_root(channel, thread_key)
            if root is None:
                root, won = self._post_root(row_id, channel, thread_key, text, None, None)
                if won:
                    return
        self._post(row_id, channel, text, thread_ts=root, step="post")

    # --- the Web API -----------------------------------------------------------------------

    def _post_root(self, row_id: int, channel: str, key: str, text: str,
                   blocks: list[dict[str, Any]] | None, ticket_ref: str | None,
                   ) -> tuple[str, bool]:  # fmt: skip
        """Post a thread's first message; (root ts, whether ours is the root).

        Another process may have posted the same root meanwhile: the database keeps one, and
        our copy is deleted.
        """
        ts = self._post(row_id, channel, text, blocks=blocks, step="root")
        root = self.store.record_root(channel, key, ts, ticket_ref)
        if root == ts:
            return ts, True
        log.info("%s in %s: another worker posted its thread first; removing ours", key, channel)
        try:
            self._call("chat.delete", {"channel": channel, "ts": ts})
        except (PermanentFailure, TransientFailure) as exc:
            log.warning("could not delete the duplicate %s in %s: %s", ts, channel, exc)
        return root, False

    def _post(self, row_id: int, channel: str, text: str, blocks: list[dict[str, Any]] | None
              = None, thread_ts: str | None = None, step: str = "post") -> str:  # fmt: skip
        """Post once: a retried row first looks for what its lost attempt may have posted."""
        key = f"{row_id}:{step}"
        if self.store.attempted_before(row_id):
            found = self._already_posted(channel, key, thread_ts)
            if found is not None:
                log.info("outbox row %s: its %s is already in %s", row_id, step, channel)
                return found
        args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False,
                                "unfurl_media": False,
                                "metadata": {"event_type": EVENT_TYPE,
                                             "event_payload": {"key": key}}}  # fmt: skip
        if blocks is not None:
            args["blocks"] = blocks
        if thread_ts is not None:
            args["thread_ts"] = thread_ts
        return str(self._call("chat.postMessage", args)["ts"])

    def _already_posted(self, channel: str, key: str, thread_ts: str | None) -> str | None:
        try:
            if thread_ts is None:
                method, args = "conversations.history", {"limit": 50}
            else:
                method, args = "conversations.replies", {"ts": thread_ts, "limit": 200}
            found = self.client.api_call(method, http_verb="GET", params={
                "channel": channel, "include_all_metadata": "true", **args})  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - e.g. no history scope: post, risking a repeat
            log.warning("cannot check %s for an earlier post (%s)", channel, exc)
            return None
        for message in found.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == EVENT_TYPE and \
                    (meta.get("event_payload") or {}).get("key") == key:  # fmt: skip
                return str(message["ts"])
        return None

    def _call(self, method: str, args: dict[str, Any]) -> Any:
        """One paced Web API call; its failure as the outbox understands it."""
        channel = str(args["channel"])
        with self.pacer.turn(channel):
            try:
                return self.client.api_call(method, json=args)
            except SlackApiError as exc:
                log.debug("%s in %s: %s", method, channel, error_code(exc))
                raise failure_for(method, exc) from exc
            except Exception as exc:  # noqa: BLE001 - timeouts, refused connections, bad answers
                raise TransientFailure(f"{method}: {type(exc).__name__}: {exc}") from exc

    def _stripe(self, channel: str, key: str) -> threading.Lock:
        digest = hashlib.blake2s(f"{channel}\0{key}".encode(), digest_size=4).digest()
        return self._stripes[int.from_bytes(digest, "big") % _STRIPES]
