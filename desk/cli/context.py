"""What every command shares: settings from --config and the environment, the app, errors."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from desk.bootstrap import App, build
from desk.errors import DeskError
from desk.settings import load_settings
from store.db import DatabaseUnavailable

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, config: str | None) -> None:
        self.config = config
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = build(load_settings(self.config, os.environ))
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def fail(message: str, code: int = 1) -> None:
    click.echo(f"switchdesk: error: {message}", err=True)
    sys.exit(code)


def user_errors(func: F) -> F:
    """Turn every error a user can cause into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeskError as exc:
            fail(str(exc))
        except (DatabaseUnavailable, OperationalError, ProgrammingError) as exc:
            text = _first_line(str(getattr(exc, "orig", None) or exc))
            if "no such table" in text or "does not exist" in text:
                fail("the database is not initialised; run `switchdesk db upgrade` first", 3)
            fail(f"database unavailable: {text}", 3)

    return wrapper  # type: ignore[return-value]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def pass_app(func: F) -> F:
    @click.pass_obj
    @user_errors
    @functools.wraps(func)
    def wrapper(ctx: Context, *args: Any, **kwargs: Any) -> Any:
        return func(ctx.app, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))
