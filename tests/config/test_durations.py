"""Time limits as people write them, and written back the same way."""

from __future__ import annotations

import pytest

from mlci.config.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1d", 86400),
        ("2.5s", 2.5),
        (" 45 ", 45),
        ("10M", 600),
        (120, 120),
        (0.5, 0.5),
    ],
)
def test_durations_and_numbers_of_seconds(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value", ["soon", "30 minutes", "1h30", "-5m", "0", 0, -1, "", True, [30], float("inf"), "nan"]
)
def test_anything_else_is_refused_with_the_accepted_forms(value: object) -> None:
    with pytest.raises(ValueError, match="like 90s, 30m, 2h or 1h30m, or a number of seconds"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("seconds", "text"), [(1800, "30m"), (5400, "1h30m"), (90, "1m30s"), (2.5, "2.5s"), (45, "45s")]
)
def test_a_limit_is_written_back_the_way_people_write_it(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
