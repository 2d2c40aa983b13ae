"""Markdown bodies to plain text and HTML. Raw HTML in the source is not passed through, so
an author cannot put script or tracking into participants' mail."""

from __future__ import annotations

from functools import lru_cache

from inscriptis import get_text
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


@lru_cache(maxsize=64)  # one body goes to thousands of recipients
def render_markdown(source: str) -> tuple[str, str]:
    html = _MARKDOWN.render(source)
    text = get_text(html).strip("\n")
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip() or source.strip(), html
