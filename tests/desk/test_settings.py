from pathlib import Path

import pytest

from desk.settings import SettingsError, load_settings


def test_defaults_file_then_environment(tmp_path: Path) -> None:
    assert load_settings(None, {}).effective_database_url == "sqlite:///var/switchdesk.db"
    config = tmp_path / "desk.toml"
    config.write_text('home = "/srv/desk"\noutbox_batch = 5\ndesk_name = "Test Desk"\n')
    settings = load_settings(config, {"SWITCHDESK_OUTBOX_BATCH": "7"})
    assert settings.home == Path("/srv/desk") and settings.outbox_batch == 7
    assert settings.desk_name == "Test Desk"
    assert settings.effective_database_url == "sqlite:////srv/desk/switchdesk.db"
    via_env = load_settings(None, {"SWITCHDESK_CONFIG": str(config)})
    assert via_env.outbox_batch == 5


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SWITCHDESK_OUTBOX_BATCH": "lots"}, "SWITCHDESK_OUTBOX_BATCH"),
        ({"SWITCHDESK_LOG_LEVEL": "LOUD"}, "SWITCHDESK_LOG_LEVEL"),
        ({"SWITCHDESK_MAIL_RELAY": "http://relay"}, "SWITCHDESK_MAIL_RELAY"),
        ({"SWITCHDESK_DATABSE_URL": "sqlite://"}, "unknown setting SWITCHDESK_DATABSE_URL"),
        ({"SWITCHDESK_CONFIG": "/nonexistent.toml"}, "config file not found"),
    ],
)
def test_a_bad_setting_is_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(None, environ)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("home = \n")
    with pytest.raises(SettingsError, match="broken.toml"):
        load_settings(config, {})
    config.write_text("outbox_batch = 0\n")
    with pytest.raises(SettingsError, match="outbox_batch"):
        load_settings(config, {})
