"""The weekly hours editor, the blackout form and the extra hours form: what an owner typed, as
availability's bodies.

Times are the studio's wall-clock times (availability reads them in the studio's zone). Each
day has a few opening rows (`day-0-0-opens`, `day-0-0-closes`, ...); a day whose rows are all
blank is closed. A room's own rules are not edited here and are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ROWS_PER_DAY = 2
MAX_ROWS_PER_DAY = 12
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MIDNIGHT = "00:00"


@dataclass
class Opening:
    opens: str = ""
    closes: str = ""


@dataclass
class WeeklyHours:
    """Each weekday's openings (0 = Monday), and the room rules kept as they are."""

    days: list[list[Opening]]
    room_rules: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_rules(cls, rules: list[dict[str, Any]]) -> WeeklyHours:
        days: list[list[Opening]] = [[] for _ in WEEKDAYS]
        for rule in sorted(rules, key=lambda r: (r["weekday"], r["opens"])):
            if rule.get("room_id") is None:
                days[rule["weekday"]].append(Opening(rule["opens"][:5], rule["closes"][:5]))
        room_rules = [rule for rule in rules if rule.get("room_id") is not None]
        return cls(days=[_padded(openings) for openings in days], room_rules=room_rules)

    @classmethod
    def of_form(cls, form: Mapping[str, Any], room_rules: list[dict[str, Any]]) -> WeeklyHours:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip()[:8] if isinstance(value, str) else ""

        days = [
            [
                Opening(text(f"day-{d}-{n}-opens"), text(f"day-{d}-{n}-closes"))
                for n in range(MAX_ROWS_PER_DAY)
                if f"day-{d}-{n}-opens" in form
            ]
            for d in range(len(WEEKDAYS))
        ]
        return cls(days=days, room_rules=room_rules)

    def summary(self, day: int) -> str:
        """The day's openings in words, beside the time inputs (whose look depends on locale)."""
        spans = [o for o in self.days[day] if o.opens and o.closes]
        if not spans:
            return "Closed"
        if len(spans) == 1 and spans[0].opens == MIDNIGHT == spans[0].closes:
            return "Open all day"
        return ", ".join(f"{o.opens}\u2013{'24:00' if o.closes == MIDNIGHT else o.closes}"
                         for o in spans)  # fmt: skip

    def rules(self) -> list[dict[str, Any]] | None:
        """Availability's whole rule list (room rules kept), or None with `errors` filled in."""
        rules: list[dict[str, Any]] = []
        for d, openings in enumerate(self.days):
            for n, opening in enumerate(openings):
                rule = self._rule(d, n, opening)
                if rule is not None:
                    rules.append(rule)
            self._check_overlaps(d)
        if self.errors:
            self.days = [_padded(openings) for openings in self.days]
            return None
        return rules + [
            {key: rule[key] for key in ("weekday", "opens", "closes", "room_id")}
            for rule in self.room_rules
        ]

    def _rule(self, day: int, row: int, opening: Opening) -> dict[str, Any] | None:
        name = f"day-{day}-{row}"
        if not opening.opens and not opening.closes:
            return None
        if not TIME.match(opening.opens) or not TIME.match(opening.closes):
            self.errors[name] = "Enter both times as HH:MM, such as 09:00 and 18:00."
            return None
        if opening.closes != MIDNIGHT and opening.closes <= opening.opens:
            self.errors[name] = "Closing must come after opening (00:00 closes at midnight)."
            return None
        return {"weekday": day, "opens": opening.opens, "closes": opening.closes}

    def _check_overlaps(self, day: int) -> None:
        spans = sorted(
            (o.opens, "24:00" if o.closes == MIDNIGHT else o.closes, n)
            for n, o in enumerate(self.days[day])
            if f"day-{day}-{n}" not in self.errors and o.opens
        )
        for (_, closes, _), (opens, _, row) in pairwise(spans):
            if opens < closes:
                self.errors[f"day-{day}-{row}"] = "This overlaps the day's other opening."


def _padded(openings: list[Opening]) -> list[Opening]:
    return openings + [Opening() for _ in range(ROWS_PER_DAY - len(openings))]


@dataclass
class BlackoutForm:
    """Whole local days closed, for the studio or one room."""

    first_day: str = ""
    last_day: str = ""
    room_id: str = ""
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_form(cls, form: Mapping[str, Any]) -> BlackoutForm:
        return cls(
            first_day=_text(form, "first_day", 10),
            last_day=_text(form, "last_day", 10),
            room_id=_text(form, "room_id", 40),
            reason=_text(form, "reason", 500),
        )

    def body(self, room_ids: list[str], today: date) -> dict[str, Any] | None:
        """Availability's blackout body, or None with `errors` filled in."""
        first = _date(self.first_day)
        last = _date(self.last_day) if self.last_day else first
        if first is None:
            self.errors["first_day"] = "Enter the first closed day."
        elif first < today:
            self.errors["first_day"] = "Choose today or a later day."
        if self.last_day and last is None:
            self.errors["last_day"] = "Enter a date, or leave it blank for one day."
        elif first is not None and last is not None and last < first:
            self.errors["last_day"] = "The last day cannot come before the first."
        if self.room_id and self.room_id not in room_ids:
            self.errors["room_id"] = "Choose the whole studio or one of its rooms."
        if self.errors or first is None or last is None:
            return None
        body: dict[str, Any] = {"first_day": first.isoformat(), "last_day": last.isoformat()}
        if self.room_id:
            body["room_id"] = self.room_id
        if self.reason:
            body["reason"] = self.reason
        return body


@dataclass
class ExtraHoursForm:
    """Open on one local date beyond the weekly hours (a holiday evening), studio or room.

    Its fields are named `extra_*`: it shares the page with the blackout form.
    """

    day: str = ""
    opens: str = ""
    closes: str = ""
    room_id: str = ""
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_form(cls, form: Mapping[str, Any]) -> ExtraHoursForm:
        return cls(
            day=_text(form, "extra_day", 10),
            opens=_text(form, "extra_opens", 5),
            closes=_text(form, "extra_closes", 5),
            room_id=_text(form, "extra_room_id", 40),
            reason=_text(form, "extra_reason", 500),
        )

    def body(self, room_ids: list[str], today: date) -> dict[str, Any] | None:
        """Availability's extra hours body, or None with `errors` (by field name) filled in."""
        day = _date(self.day)
        if day is None:
            self.errors["extra_day"] = "Enter the day."
        elif day < today:
            self.errors["extra_day"] = "Choose today or a later day."
        for name, value in (("extra_opens", self.opens), ("extra_closes", self.closes)):
            if not TIME.match(value):
                self.errors[name] = "Enter a time such as 18:00."
        if not self.errors and self.closes != MIDNIGHT and self.closes <= self.opens:
            self.errors["extra_closes"] = "Close after opening (00:00 means midnight)."
        if self.room_id and self.room_id not in room_ids:
            self.errors["extra_room_id"] = "Choose the whole studio or one of its rooms."
        if self.errors or day is None:
            return None
        body: dict[str, Any] = {"day": day.isoformat(), "opens": self.opens, "closes": self.closes}
        if self.room_id:
            body["room_id"] = self.room_id
        if self.reason:
            body["reason"] = self.reason
        return body


def _text(form: Mapping[str, Any], name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
