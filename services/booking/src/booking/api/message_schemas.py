"""Bodies of a booking's chat and of the admin's timeline of its saga."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from booking.domain.booking import Status
from contracts.values import PlainText

MAX_MESSAGE_LENGTH = 4000


class MessageIn(BaseModel):
    body: Annotated[PlainText, Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)]


class MessageOut(BaseModel):
    id: uuid.UUID
    booking_id: uuid.UUID
    author_id: uuid.UUID
    author_role: str
    body: str
    sent_at: datetime

    @classmethod
    def of(cls, row: Any) -> MessageOut:
        return cls(
            id=row.id,
            booking_id=row.booking_id,
            author_id=row.author_id,
            author_role=row.author_role,
            body=row.body,
            sent_at=row.sent_at,
        )


class TimelineEntry(BaseModel):
    at: datetime
    kind: str = Field(description="received, ignored, sent, action, timer or chat")
    name: str
    status_before: str | None
    status_after: str | None
    note: str
    message_id: uuid.UUID | None
    causation_id: uuid.UUID | None
    traceparent: str | None
    trace_id: str | None
    actor_id: str | None

    @classmethod
    def of(cls, row: Any) -> TimelineEntry:
        parts = (row.traceparent or "").split("-")
        return cls(
            at=row.occurred_at,
            kind=row.kind,
            name=row.name,
            status_before=row.status_before,
            status_after=row.status_after,
            note=row.note,
            message_id=row.message_id,
            causation_id=row.causation_id,
            traceparent=row.traceparent,
            trace_id=parts[1] if len(parts) == 4 else None,
            actor_id=row.actor_id,
        )


class Timeline(BaseModel):
    booking_id: uuid.UUID
    status: Status
    entries: list[TimelineEntry]
