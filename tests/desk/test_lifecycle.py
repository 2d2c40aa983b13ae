import pytest

from desk import lifecycle
from desk.errors import IllegalTransition, InvalidInput
from desk.priority import PriorityError, parse_level, parse_priority, priority_for, raise_priority
from desk.reference import format_ref, parse_ref


def test_the_working_path_is_allowed() -> None:
    path = [
        "new",
        "assigned",
        "in_progress",
        "pending_provider",
        "in_progress",
        "pending_participant",
        "resolved",
        "closed",
    ]
    for current, target in zip(path, path[1:], strict=False):
        lifecycle.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "closed"),
        ("closed", "in_progress"),
        ("closed", "new"),
        ("resolved", "in_progress"),
    ],
)
def test_an_illegal_move_names_both_states(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as error:
        lifecycle.check_transition(current, target)
    assert current in str(error.value) and target in str(error.value)


def test_unknown_status_and_type_are_refused() -> None:
    with pytest.raises(InvalidInput, match="status must be one of"):
        lifecycle.check_transition("new", "done")
    with pytest.raises(InvalidInput, match="type must be one of"):
        lifecycle.check_type("problem")


@pytest.mark.parametrize(
    ("impact", "urgency", "expected"),
    [
        (1, 1, "P1"),
        (1, 2, "P1"),
        (2, 2, "P2"),
        (1, 3, "P2"),
        (3, 3, "P3"),
        (2, 4, "P3"),
        (3, 4, "P4"),
        (4, 4, "P4"),
        ("high", "critical", "P1"),
        ("low", "low", "P4"),
    ],
)
def test_priority_matrix(impact: int | str, urgency: int | str, expected: str) -> None:
    assert priority_for(impact, urgency) == expected  # type: ignore[arg-type]


def test_priority_matrix_is_symmetric_and_monotonic() -> None:
    for i in range(1, 5):
        for u in range(1, 5):
            assert priority_for(i, u) == priority_for(u, i)
            if u < 4:
                assert priority_for(i, u) <= priority_for(i, u + 1)


def test_bad_levels_name_the_field() -> None:
    with pytest.raises(PriorityError, match="urgency"):
        parse_level(7, "urgency")
    with pytest.raises(PriorityError, match="impact"):
        parse_level("huge", "impact")
    with pytest.raises(PriorityError):
        parse_priority("P5")
    assert parse_priority("p2") == "P2" and parse_priority("1") == "P1"
    assert raise_priority("P3") == "P2" and raise_priority("P1") == "P1"


def test_references() -> None:
    assert format_ref(123) == "SD-000123"
    assert format_ref(1234567) == "SD-1234567"
    for text in ("SD-000123", "sd-123", "[SD-000123]", "123"):
        assert parse_ref(text) == 123
    for bad in ("SD-", "XX-12", "SD-0", ""):
        with pytest.raises(InvalidInput):
            parse_ref(bad)
