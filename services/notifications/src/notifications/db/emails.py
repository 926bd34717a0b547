"""The emails: a row is written in the transaction of the event that calls for it, unique on
(event, recipient, kind), and the sender claims pending rows, a few at a time, with FOR UPDATE
SKIP LOCKED."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Uuid,
    any_,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.db.tables import emails
from notifications.domain.notices import Email
from service_runtime.db import DriverStatement, written

# Each email is recorded, claimed and marked: compiled once and run on the driver
# (`DriverStatement`).
_RECORD = DriverStatement(
    text(
        "INSERT INTO emails (id, event_id, recipient_id, kind, booking_id, to_address, subject,"
        " text_body, html_body, calendar, status)"
        " VALUES (:id, :event_id, :recipient_id, :kind, :booking_id, :to_address, :subject,"
        " :text_body, :html_body, :calendar, :status)"
        " ON CONFLICT ON CONSTRAINT emails_once_per_event DO NOTHING RETURNING id"
    )
)
_DUE = DriverStatement(
    select(emails)
    .where(emails.c.status == written("pending"), emails.c.next_attempt_at <= bindparam("now"))
    .order_by(emails.c.next_attempt_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_MARK_SENT = DriverStatement(
    update(emails)
    .where(emails.c.id == any_(bindparam("email_ids", type_=ARRAY(Uuid))))
    .values(status="sent", sent_at=func.now(), attempts=emails.c.attempts + 1)
)


@dataclass(frozen=True)
class QueuedEmail:
    id: uuid.UUID
    to_address: str
    subject: str
    text_body: str
    html_body: str
    calendar: str | None
    attempts: int


class SqlEmails:
    """The emails: recorded, claimed when due, marked sent or failed."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def record(self, email: Email, *, status: str = "pending") -> bool:
        """Record the email (queued when `pending`) unless it is already recorded; True when this
        call recorded it."""
        recorded = await _RECORD.first(
            self._session,
            {
                "id": uuid.uuid4(),
                "event_id": email.event_id,
                "recipient_id": email.recipient_id,
                "kind": email.kind.value,
                "booking_id": email.booking_id,
                "to_address": email.to_address,
                "subject": email.subject,
                "text_body": email.text_body,
                "html_body": email.html_body,
                "calendar": email.calendar,
                "status": status,
            },
        )
        return recorded is not None

    async def claim_due(self, now: datetime, *, limit: int) -> list[QueuedEmail]:
        """Up to `limit` pending emails whose attempt is due, oldest first, locked until the
        transaction ends so that no other replica sends them too."""
        rows = await _DUE.rows(self._session, {"now": now, "limit": limit})
        return [
            QueuedEmail(
                id=row.id,
                to_address=row.to_address,
                subject=row.subject,
                text_body=row.text_body,
                html_body=row.html_body,
                calendar=row.calendar,
                attempts=row.attempts,
            )
            for row in rows
        ]

    async def mark_sent(self, email_ids: list[uuid.UUID]) -> None:
        if not email_ids:
            return
        await _MARK_SENT.rows(self._session, {"email_ids": email_ids})

    async def mark_attempt_failed(
        self, email_id: uuid.UUID, error: str, *, retry_at: datetime | None
    ) -> None:
        """Count the failed attempt: try again at `retry_at`, or give up (None) as failed."""
        values: dict[str, Any] = {"attempts": emails.c.attempts + 1, "last_error": error[:2000]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = retry_at
        await self._session.execute(update(emails).where(emails.c.id == email_id).values(**values))
