"""SLA clocks (pure): bank holidays, weekends, business hours, clock changes and stops."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desk.settings import Settings
from desk.sla import (
    SlaPolicy,
    Span,
    StatusChange,
    parse_targets,
    resolution_due,
    response_due,
    stops_from,
)
from desk.working_time import BusinessHours, WorkingCalendar

LONDON = ZoneInfo("Europe/London")
ENG = WorkingCalendar()
SCT = WorkingCalendar("scotland")


def at(text: str) -> datetime:
    """A Europe/London wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def local(value: datetime | None) -> str:
    assert value is not None
    return value.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("day", "england", "scotland"),
    [
        (date(2026, 4, 6), False, True),  # Easter Monday: England & Wales only
        (date(2026, 4, 3), False, False),  # Good Friday
        (date(2026, 8, 31), False, True),  # last Monday of August: E&W
        (date(2026, 8, 3), True, False),  # first Monday of August: Scotland
        (date(2026, 11, 30), True, False),  # St Andrew's Day: Scotland only
        (date(2026, 12, 25), False, False),  # Christmas, a Friday
        (date(2026, 12, 28), False, False),  # Boxing Day (Sat 26) substitute Monday
        (date(2026, 12, 29), True, True),
        (date(2026, 12, 5), False, False),  # a Saturday
        (date(2026, 12, 7), True, True),  # a Monday
    ],
)
def test_working_days_follow_each_calendar(day: date, england: bool, scotland: bool) -> None:
    assert ENG.is_working_day(day) is england
    assert SCT.is_working_day(day) is scotland


def test_default_targets_on_working_days() -> None:
    # Wednesday 13:30 + 3 working days = Monday 13:30, over the weekend.
    assert local(resolution_due(at("2026-12-02T13:30"), "P3")) == "Mon 2026-12-07 13:30 GMT"
    assert local(response_due(at("2026-12-02T13:30"), "P3")) == "Wed 2026-12-02 17:30 GMT"
    # P4: 1 working day to respond, 5 to resolve.
    assert local(response_due(at("2026-12-01T10:00"), "P4")) == "Wed 2026-12-02 10:00 GMT"
    assert local(resolution_due(at("2026-12-01T10:00"), "P4")) == "Tue 2026-12-08 10:00 GMT"


def test_after_hours_opening_starts_the_business_clock_next_working_morning() -> None:
    friday_evening = at("2026-12-04T20:00")
    assert local(response_due(friday_evening, "P3")) == "Mon 2026-12-07 13:00 GMT"
    assert local(resolution_due(friday_evening, "P3")) == "Wed 2026-12-09 17:30 GMT"
    # Before opening time on a working day: from 09:00 that day.
    assert local(response_due(at("2026-12-07T06:15"), "P2")) == "Mon 2026-12-07 09:30 GMT"
    assert str(Span.parse("30bm")) == "30 business min"


def test_p1_runs_round_the_clock_even_at_christmas() -> None:
    assert local(response_due(at("2026-12-25T03:00"), "P1")) == "Fri 2026-12-25 03:15 GMT"
    assert local(resolution_due(at("2026-12-25T22:00"), "P1")) == "Sat 2026-12-26 02:00 GMT"


def test_bank_holidays_are_skipped() -> None:
    # Christmas Eve 16:00 + 8 business hours: 1.5 h that day, Fri 25 and Mon 28 are holidays.
    assert local(resolution_due(at("2026-12-24T16:00"), "P2")) == "Tue 2026-12-29 15:30 GMT"
    # Thursday before Easter + 3 WD: Good Friday and Easter Monday skipped.
    assert local(resolution_due(at("2026-04-02T12:00"), "P3")) == "Thu 2026-04-09 12:00 BST"
    # Friday 28 August 17:00 + 1 WD: Monday 31 August is the summer bank holiday.
    assert local(response_due(at("2026-08-28T17:00"), "P4")) == "Tue 2026-09-01 17:00 BST"


def test_scotland_calendar_differs_where_the_holidays_do() -> None:
    policy = SlaPolicy(scotland=SCT, scottish_organisations=frozenset({"Caledonian Power"}))
    opened = at("2026-04-02T12:00")  # Easter Monday is a working day in Scotland
    assert local(policy.resolution_due(opened, "P3")) == "Thu 2026-04-09 12:00 BST"
    scottish = policy.resolution_due(opened, "P3", organisation="Caledonian Power")
    assert local(scottish) == "Wed 2026-04-08 12:00 BST"
    assert local(policy.earliest_resolution(opened, "P3")) == "Wed 2026-04-08 12:00 BST"


def test_clock_changes() -> None:
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026: 4 real hours from 23:30 GMT.
    assert local(resolution_due(at("2026-03-28T23:30"), "P1")) == "Sun 2026-03-29 04:30 BST"
    # Business hours are local: Friday 16:00 GMT + 8 bh = Monday 15:30 BST, 8.5 h a day.
    assert local(resolution_due(at("2026-03-27T16:00"), "P2")) == "Mon 2026-03-30 15:30 BST"
    # Clocks go back at 02:00 BST on Sunday 25 October 2026.
    assert local(response_due(at("2026-10-23T15:00"), "P3")) == "Mon 2026-10-26 10:30 GMT"
    assert local(resolution_due(at("2026-10-24T23:00"), "P1")) == "Sun 2026-10-25 02:00 GMT"


def test_waiting_for_the_participant_stops_the_resolution_clock() -> None:
    opened = at("2026-12-01T09:00")  # Tuesday; P3 due Thursday 17:30 with no stop
    assert local(resolution_due(opened, "P3")) == "Thu 2026-12-03 17:30 GMT"
    changes = [
        StatusChange(at("2026-12-01T09:00"), None, "new"),
        StatusChange(at("2026-12-01T13:00"), "new", "pending_participant"),
        StatusChange(at("2026-12-02T13:00"), "pending_participant", "in_progress"),
    ]
    stops = stops_from(changes)
    assert local(resolution_due(opened, "P3", stops)) == "Fri 2026-12-04 17:30 GMT"
    now = at("2026-12-04T15:00")
    status = SlaPolicy().assess(opened, "P3", changes, [], now)
    assert (status.clock, status.breached, status.at_risk) == ("running", False, True)
    assert status.responded_at == at("2026-12-01T13:00")

    paused = SlaPolicy().assess(opened, "P3", changes[:2], [], now)
    assert paused.clock == "paused" and paused.resolution_due is None
    assert paused.remaining == timedelta(hours=25.5 - 4)  # 4 business hours had run
    assert not paused.breached and not paused.at_risk


def test_breaches_of_response_and_resolution() -> None:
    opened = at("2026-12-01T09:00")
    policy = SlaPolicy()
    late = policy.assess(opened, "P2", [StatusChange(opened, None, "new")], [],
                         at("2026-12-01T09:45"))  # fmt: skip
    assert late.breached and late.clock == "running"  # no response in 30 minutes
    on_time = policy.assess(opened, "P2", [], [at("2026-12-01T09:20")], at("2026-12-01T09:45"))
    assert not on_time.breached
    resolved_late = [StatusChange(at("2026-12-02T10:00"), "in_progress", "resolved")]
    status = policy.assess(opened, "P2", resolved_late, [at("2026-12-01T09:10")],
                           at("2026-12-09T10:00"))  # fmt: skip
    assert status.clock == "stopped" and status.breached
    assert local(status.resolution_due) == "Tue 2026-12-01 17:00 GMT"


def test_targets_and_hours_are_configurable_and_checked() -> None:
    targets = parse_targets("P2=1h/2d; p4=2wd/10wd")
    assert str(targets["P2"]) == "1h/2d" and str(targets["P4"]) == "2wd/10wd"
    assert str(targets["P1"]) == "15m/4h"  # untouched defaults stay
    assert str(Span.parse("3wd")) == "3 working days" and str(Span.parse("15m")) == "15 min"
    policy = SlaPolicy(calendar=WorkingCalendar(hours=BusinessHours.parse("08:00-16:00")))
    assert local(policy.response_due(at("2026-12-07T15:00"), "P3")) == "Tue 2026-12-08 11:00 GMT"
    settings = Settings(sla_targets="P3=2bh/2wd", sla_business_hours="8:00-16:00")
    assert settings.sla_targets["P3"] == "2bh/2wd" and settings.sla_business_hours == "08:00-16:00"
    for bad in ("P5=1h/2h", "P2=1h", "P2=fast/2h", "P2=0m/2h"):
        with pytest.raises(ValueError):
            parse_targets(bad)
    with pytest.raises(ValueError, match="end after"):
        BusinessHours.parse("17:30-09:00")


def test_naive_utc_inputs_are_refused_not_misread() -> None:
    with pytest.raises((TypeError, ValueError)):
        resolution_due(datetime(2026, 12, 1, 9, 0), "P3")
    assert response_due(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "P1").tzinfo is not None


def test_sla_settings_from_the_environment_name_a_bad_value() -> None:
    from desk.settings import SettingsError, load_settings

    env = {"SWITCHDESK_SLA_TARGETS": "P1=10m/2h", "SWITCHDESK_SLA_CALENDAR": "Scotland",
           "SWITCHDESK_SLA_SCOTLAND_ORGANISATIONS": "Caledonian Power, Forth Gas"}  # fmt: skip
    settings = load_settings(None, env)
    assert settings.sla_targets["P1"] == "10m/2h" and settings.sla_calendar == "scotland"
    assert settings.sla_scotland_organisations == ["Caledonian Power", "Forth Gas"]
    with pytest.raises(SettingsError, match="SWITCHDESK_SLA_BUSINESS_HOURS"):
        load_settings(None, {"SWITCHDESK_SLA_BUSINESS_HOURS": "nine to five"})
    with pytest.raises(SettingsError, match="SWITCHDESK_SLA_TARGETS: targets are for P1-P4"):
        load_settings(None, {"SWITCHDESK_SLA_TARGETS": "P0=1h/2h"})
