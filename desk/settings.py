"""One typed settings object: defaults < TOML file < SWITCHDESK_* environment variables.

Only the composition root builds it; everything below receives what it needs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from desk.errors import DeskError


class SettingsError(DeskError):
    pass


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    home: Path = Field(Path("var"), description="data directory: database, blobs, mail, calendars")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in home")
    desk_name: str = "Switching Service Desk"
    desk_email: str = "servicedesk@switchdesk.example"
    log_level: str = "INFO"
    mail_relay: str | None = Field(None, description="smtp://user:pass@host:587?starttls=1")
    desk_addresses: list[str] = Field(
        default_factory=list, description="addresses the desk accepts mail for; default desk_email"
    )
    smtp_listen: str = Field("127.0.0.1:8025", description="host:port, or 'off'")
    max_message_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    reopen_window_days: float = Field(14, ge=0)
    acks_per_sender_per_hour: int = Field(5, ge=0)
    imap_host: str | None = None
    imap_port: int | None = Field(None, ge=1, le=65535)
    imap_tls: bool = True
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    imap_processed_folder: str | None = None
    imap_poll_seconds: float = Field(60, gt=0)
    kb_dir: Path | None = Field(None, description="knowledge articles; default the packaged ones")
    first_line_threshold: float = Field(80.0, ge=0, le=100)
    slack_bot_token: str | None = Field(None, description="xoxb-…; unset runs without Slack")
    slack_app_token: str | None = Field(None, description="xapp-…: Socket Mode")
    slack_signing_secret: str | None = Field(None, description="HTTP mode: verifies requests")
    slack_api_url: str = Field("https://slack.com/api/", description="the Web API base URL")
    slack_triage_channel: str | None = Field(None, description="a card for every new ticket")
    slack_alert_channel: str | None = Field(None, description="dead-lettered Slack posts")
    slack_pace_seconds: float = Field(1.0, ge=0, description="least gap between posts per channel")
    http_listen: str = Field("127.0.0.1:8080", description="host:port for /slack/events, or 'off'")
    announcement_channels: list[str] = Field(default_factory=list, description="Slack channel ids")
    broadcast_grace_hours: float = Field(6, ge=0, description="how late a broadcast may still go")
    broadcast_poll_seconds: float = Field(15, gt=0)
    digest_cron: str = Field("0 9 * * mon", description="crontab, Europe/London")
    digest_weeks: int = Field(4, ge=1, le=52, description="weeks ahead a digest covers")
    change_reminder_hours: list[float] = Field(default_factory=lambda: [24.0, 1.0])
    outbox_batch: int = Field(20, ge=1, le=1000)
    outbox_max_attempts: int = Field(8, ge=1, le=100)
    outbox_backoff_base: float = Field(2.0, gt=0)
    outbox_backoff_cap: float = Field(900.0, gt=0)
    outbox_lease_seconds: float = Field(120.0, gt=0)
    outbox_poll_seconds: float = Field(1.0, gt=0)
    sla_targets: dict[str, str] = Field(
        default_factory=dict, description="per-priority overrides, e.g. P2=30m/8bh,P3=4bh/3wd"
    )
    sla_business_hours: str = Field("09:00-17:30", description="Europe/London, on working days")
    sla_calendar: str = Field("england-and-wales", description="or scotland: bank holidays")
    sla_scotland_organisations: list[str] = Field(
        default_factory=list, description="organisations whose tickets use Scotland's holidays"
    )
    sla_at_risk_hours: float = Field(4, gt=0, description="resolution due this soon: at risk")

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("mail_relay")
    @classmethod
    def _relay(cls, value: str | None) -> str | None:
        if value:
            from intake.smtp_relay import RelayUrl

            RelayUrl.parse(value)
        return value

    @field_validator("desk_addresses", "announcement_channels", "sla_scotland_organisations",
                     mode="before")
    @classmethod
    def _addresses(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, list):
            return [str(v).strip() for v in value]
        return value

    @field_validator("change_reminder_hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("change_reminder_hours")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(hours <= 0 for hours in value):
            raise ValueError("reminder hours must be positive")
        return sorted(set(value), reverse=True)

    @field_validator("sla_targets", mode="before")
    @classmethod
    def _sla_targets(cls, value: object) -> object:
        from desk.sla import parse_targets

        if isinstance(value, str | dict):
            parsed = parse_targets(value if isinstance(value, str) else
                                   {str(k): str(v) for k, v in value.items()})  # fmt: skip
            return {priority: str(target) for priority, target in parsed.items()}
        return value

    @field_validator("sla_business_hours")
    @classmethod
    def _sla_hours(cls, value: str) -> str:
        from desk.working_time import BusinessHours

        return str(BusinessHours.parse(value))

    @field_validator("sla_calendar")
    @classmethod
    def _sla_calendar(cls, value: str) -> str:
        from desk.working_time import REGIONS

        if value.lower() not in REGIONS:
            raise ValueError(f"must be one of {', '.join(REGIONS)}")
        return value.lower()

    @field_validator("digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a crontab expression ({exc})") from None
        return value

    @field_validator("smtp_listen", "http_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        if value != "off":
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError("must be host:port (e.g. 127.0.0.1:8025) or 'off'")
        return value

    @model_validator(mode="after")
    def _imap_complete(self) -> Settings:
        if self.imap_host and not (self.imap_user and self.imap_password):
            raise ValueError("imap_host needs imap_user and imap_password")
        if self.imap_processed_folder and self.imap_processed_folder == self.imap_folder:
            raise ValueError("imap_processed_folder must differ from imap_folder")
        return self

    @property
    def accepted_addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in (self.desk_addresses or [self.desk_email]))

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'switchdesk.db'}"


def load_settings(config_file: str | Path | None, environ: Mapping[str, str]) -> Settings:
    """Build settings from an optional TOML file and the environment, naming a bad setting."""
    file_values: dict[str, Any] = {}
    path = config_file or environ.get("SWITCHDESK_CONFIG")
    if path:
        try:
            file_values = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"config file not found: {path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    env_values = {
        key[len("SWITCHDESK_") :].lower(): value
        for key, value in environ.items()
        if key.startswith("SWITCHDESK_") and key != "SWITCHDESK_CONFIG" and value != ""
    }
    unknown = sorted(set(env_values) - set(Settings.model_fields))
    if unknown:
        names = ", ".join("SWITCHDESK_" + name.upper() for name in unknown)
        raise SettingsError(f"unknown setting {names}")
    try:
        return Settings.model_validate({**file_values, **env_values})
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:
            raise SettingsError(f"invalid settings: {message}") from None
        name = ".".join(str(p) for p in first["loc"])
        source = "SWITCHDESK_" + name.upper() if name in env_values else name
        raise SettingsError(f"invalid setting {source}: {message}") from None
