"""View logic of the admin pages: what an admin may type, and a booking's timeline as rows."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_REASON = 1000  # catalog's bound on a suspension's reason
MAX_QUERY = 200  # identity's and catalog's bound on a search's words
ROLES = {"booker": "Booker", "owner": "Owner", "admin": "Admin"}
STUDIO_KEY = re.compile(r"^[A-Za-z0-9-]{1,200}$")


def search_words(text: str) -> tuple[str, str | None]:
    """Words to search for (trimmed), or why the API would refuse them."""
    words = text.strip()
    if len(words) > MAX_QUERY:
        return words[:MAX_QUERY], f"Search with at most {MAX_QUERY} characters."
    if any(ord(char) < 32 for char in words):
        return "", "Search with letters, digits and punctuation only."
    return words, None


def suspension_reason(text: str) -> tuple[str, str | None]:
    """The reason as catalog takes it (trimmed, no NUL), or why it cannot be sent."""
    reason = text.strip()
    if not reason:
        return reason, "Say why the studio is suspended: the owner reads it."
    if len(reason) > MAX_REASON:
        return reason[:MAX_REASON], f"Keep the reason within {MAX_REASON} characters."
    if "\x00" in reason:
        return reason.replace("\x00", ""), "The reason holds a character we cannot keep."
    return reason, None


def role_choice(text: str) -> str | None:
    """The role an admin picked, or None when it is not one identity knows."""
    return text if text in ROLES else None


def booking_id(text: str) -> tuple[uuid.UUID | None, str | None]:
    """The booking id an admin typed (surrounding spaces forgiven), or why it is not one."""
    try:
        return uuid.UUID(text.strip()[:100]), None
    except ValueError:
        return None, "Enter a booking's id, such as 603d46a8-5f15-48d0-8f78-874465cd99fb."


def studio_key(text: str) -> str | None:
    """A studio's id or slug, when the words typed could be one (catalog answers 404 to others)."""
    key = text.strip()
    return key if STUDIO_KEY.match(key) else None


@dataclass(frozen=True)
class TimelineRow:
    """One step of a booking's saga as the timeline table shows it."""

    at: str
    kind: str
    name: str
    status_change: str
    note: str
    trace_id: str
    message_id: str


def timeline_rows(entries: list[dict[str, Any]]) -> list[TimelineRow]:
    """The timeline's entries oldest first, with times in UTC to the millisecond."""
    return [
        TimelineRow(
            at=_utc(entry["at"]),
            kind=str(entry.get("kind") or ""),
            name=str(entry.get("name") or ""),
            status_change=_status_change(entry.get("status_before"), entry.get("status_after")),
            note=str(entry.get("note") or ""),
            trace_id=str(entry.get("trace_id") or ""),
            message_id=str(entry.get("message_id") or ""),
        )
        for entry in sorted(entries, key=lambda entry: _moment(entry["at"]))
    ]


def _moment(at: str) -> datetime:
    moment = datetime.fromisoformat(at)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _utc(at: str) -> str:
    moment = _moment(at).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} UTC"


def _status_change(before: str | None, after: str | None) -> str:
    if not after or before == after:
        return ""
    return f"{_words(before)} → {_words(after)}" if before else _words(after)


def _words(status: str | None) -> str:
    return (status or "").replace("_", " ")
