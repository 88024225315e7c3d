"""Schedule expressions for ``@app.schedule``: ``Rate`` and ``Cron``.

They only render EventBridge ``rate(...)``/``cron(...)`` strings for the
deploy tooling; nothing here runs in Lambda. Values are checked when the
expression is built, so a typo fails at import time, not at deploy time.
Standard library only; no imports.
"""

from __future__ import annotations


class ScheduleExpression:
    """Base of ``Rate`` and ``Cron``: anything with ``to_string()``."""

    __slots__ = ()

    def to_string(self) -> str:
        """The EventBridge schedule expression."""
        raise NotImplementedError("to_string")

    def __str__(self) -> str:
        return self.to_string()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScheduleExpression):
            return NotImplemented
        return self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_string()!r})"


class Rate(ScheduleExpression):
    """Every ``value`` minutes/hours/days: ``Rate(5, unit=Rate.MINUTES)``."""

    __slots__ = ("value", "unit")

    MINUTES = "MINUTES"
    HOURS = "HOURS"
    DAYS = "DAYS"

    def __init__(self, value: int, unit: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"Rate value must be a positive integer, got {value!r}")
        if unit not in (self.MINUTES, self.HOURS, self.DAYS):
            raise ValueError(
                f"Rate unit must be Rate.MINUTES, Rate.HOURS or Rate.DAYS, got {unit!r}"
            )
        self.value = value
        self.unit = unit

    def to_string(self) -> str:
        unit = self.unit.lower()
        if self.value == 1:
            unit = unit[:-1]
        return f"rate({self.value} {unit})"


class Cron(ScheduleExpression):
    """An EventBridge cron: ``Cron(minutes, hours, day_of_month, month, day_of_week, year)``.

    Each field is a str or an int, written as EventBridge expects (``'*'``,
    ``'?'``, ``'0/15'``, ``'MON-FRI'`` ...).
    """

    __slots__ = ("minutes", "hours", "day_of_month", "month", "day_of_week", "year")

    def __init__(
        self,
        minutes: str | int,
        hours: str | int,
        day_of_month: str | int,
        month: str | int,
        day_of_week: str | int,
        year: str | int,
    ) -> None:
        fields = (minutes, hours, day_of_month, month, day_of_week, year)
        for field in fields:
            if isinstance(field, bool) or not isinstance(field, (str, int)):
                raise ValueError(f"Cron fields must be strings or integers, got {field!r}")
            if isinstance(field, str) and (not field or any(c.isspace() for c in field)):
                raise ValueError(f"Cron field {field!r} must be non-empty and contain no spaces")
        self.minutes = minutes
        self.hours = hours
        self.day_of_month = day_of_month
        self.month = month
        self.day_of_week = day_of_week
        self.year = year

    def to_string(self) -> str:
        return (
            f"cron({self.minutes} {self.hours} {self.day_of_month} "
            f"{self.month} {self.day_of_week} {self.year})"
        )
