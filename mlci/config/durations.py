"""Time limits as people write them: `90s`, `30m`, `2h`, `1h30m`, or a plain number of seconds."""

from __future__ import annotations

import math
import re

UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
DURATION = re.compile(r"^(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$")
EXAMPLES = "like 90s, 30m, 2h or 1h30m, or a number of seconds"


def parse_duration(value: object) -> float:
    """Seconds, from a duration text or a number; `ValueError` saying what is accepted otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"must be a duration {EXAMPLES}, not {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            if not DURATION.match(text):
                raise ValueError(f"must be a duration {EXAMPLES}, not {value!r}") from None
            seconds = sum(float(number) * UNITS[unit] for number, unit in PART.findall(text))
    else:
        raise ValueError(f"must be a duration {EXAMPLES}, not {type(value).__name__}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"must be longer than nothing: a duration {EXAMPLES}, not {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """`1800.0` -> `30m`, `5400` -> `1h30m`, `2.5` -> `2.5s`: the way a limit is written back."""
    if seconds != int(seconds) or seconds < 60:
        return f"{seconds:g}s"
    rest, parts = int(seconds), []
    for unit, size in UNITS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
