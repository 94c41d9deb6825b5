"""Field readers every source shares: times as ISO-8601 UTC, follower counts, optional strings,
and the reason a text is refused. Each takes any decoded JSON/CSV value and never raises."""

from __future__ import annotations

from datetime import UTC, datetime

from tweetpulse.records import DEFAULT_MAX_TEXT, MAX_FOLLOWERS

_INT64_DIGITS = len(str(MAX_FOLLOWERS))
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}


def _iso_from_datetime(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def iso_utc(value: object) -> str | None:
    """An ISO-8601 UTC string (``...Z``) for a real ISO-ish time, else None: the date and clock are
    checked (``2024-13-45T99:99:99Z`` is None); naive times are taken as UTC."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) == 19 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}Z"  # already the canonical digits, a space for the T
    if value.endswith("Z") and value[10:11] == "T":
        return value  # a valid UTC time as the source wrote it (its own precision)
    return _iso_from_datetime(moment)


def twitter_time(value: object) -> str | None:
    """v1.1 ``created_at`` (``Wed Oct 10 20:19:24 +0000 2018``) as ISO-8601 UTC, or None."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) == 6 and parts[4] == "+0000":
        month = _MONTHS.get(parts[1])
        day, clock, year = parts[2], parts[3], parts[5]
        if month and day.isdigit() and year.isdigit() and len(clock) == 8 and clock[2] == clock[5] == ":":
            return f"{year}-{month:02d}-{int(day):02d}T{clock}Z"
    try:
        return _iso_from_datetime(datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y"))
    except ValueError:
        return None


def count(value: object) -> int | None:
    """A follower count: a non-negative int, or an integral float/str such as ``"123.0"``; it may be
    over :data:`~tweetpulse.records.MAX_FOLLOWERS` (see :func:`followers_problem`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 and value.is_integer() else None
    if isinstance(value, str) and value:
        if value.isascii() and value.isdigit():
            # a count of more digits than any int64 has is over the limit: no need to convert it
            digits = value.lstrip("0")
            return int(digits or "0") if len(digits) <= _INT64_DIGITS else MAX_FOLLOWERS + 1
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number >= 0 and number.is_integer() else None
    return None


def followers_problem(followers: int | None) -> str | None:
    """Why a row's follower count refuses the row (over the store's 64-bit range), else None."""
    if followers is None or followers <= MAX_FOLLOWERS:
        return None
    return "follower count over 2**63 - 1 (not a real count)"


def str_or_none(value: object) -> str | None:
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def id_or_none(value: object) -> str | None:
    """An id as a string: a non-empty string as it is, an integer (not a bool) in decimal, else None."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def text_problem(text: object, blank_is_none: bool = False) -> str:
    """Why a row's text was refused (called only for one that was): missing or empty (or, with
    ``blank_is_none``, only white space), else over the length cap."""
    if not isinstance(text, str) or not text or text.isspace():
        return "no text"
    return f"text has {len(text)} characters, cap is {DEFAULT_MAX_TEXT}"
