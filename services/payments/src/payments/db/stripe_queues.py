"""The queues of Stripe calls and Stripe events as repositories: the queries of
`db/stripe_calls.py` and `db/stripe_events.py` (their leases, SKIP LOCKED and on-conflict-do-
nothing) bound to the unit's session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from payments import db
from payments.domain.stripe_calls import StripeCallParams
from payments.provider import ProviderEvent
from payments.stripe_queue_repositories import (
    ClaimedCall,
    ClaimedEvent,
    MarkedEvent,
    RecordedCall,
)


@dataclass
class SqlStripeCalls:
    session: AsyncConnection

    async def add(
        self,
        *,
        booking_id: uuid.UUID,
        params: StripeCallParams,
        idempotency_key: str,
        traceparent: str | None = None,
        lease_seconds: float | None = None,
    ) -> RecordedCall | None:
        added = await db.add_call(
            self.session,
            booking_id=booking_id,
            params=params,
            idempotency_key=idempotency_key,
            traceparent=traceparent,
            lease_seconds=lease_seconds,
        )
        return None if added is None else RecordedCall(added[0], "pending", added[1])

    async def by_key(self, idempotency_key: str) -> RecordedCall | None:
        row = await db.call_by_key(self.session, idempotency_key)
        return RecordedCall(row.id, row.status, row.attempts) if row else None

    async def claim(self, *, lease_seconds: float) -> ClaimedCall | None:
        claimed = await db.claim_call(self.session, lease_seconds=lease_seconds)
        return ClaimedCall(*claimed) if claimed else None

    async def finish(self, call_id: int, *, status: str = "done") -> None:
        await db.finish_call(self.session, call_id, status=status)

    async def retry_later(self, call_id: int, *, delay_seconds: float, error: str) -> None:
        await db.retry_call_later(self.session, call_id, delay_seconds=delay_seconds, error=error)


@dataclass
class SqlStripeEvents:
    session: AsyncConnection

    async def store(self, event: ProviderEvent, source: str) -> bool:
        return await db.store_event(self.session, event, source)

    async def store_processed_in_trace(
        self, event: ProviderEvent, source: str
    ) -> MarkedEvent | None:
        marked = await db.store_processed_in_trace(self.session, event, source)
        return None if marked is None else MarkedEvent(*marked)

    async def stored_among(self, event_ids: list[str]) -> set[str]:
        return await db.stored_among(self.session, event_ids)

    async def claim(self, *, lease_seconds: float) -> ClaimedEvent | None:
        claimed = await db.claim_event(self.session, lease_seconds=lease_seconds)
        return ClaimedEvent(*claimed) if claimed else None

    async def mark_processed(self, event_id: str) -> bool:
        return await db.mark_processed(self.session, event_id)

    async def mark_processed_in_trace(self, event_id: str) -> MarkedEvent | None:
        marked = await db.mark_processed_in_trace(self.session, event_id)
        return None if marked is None else MarkedEvent(*marked)

    async def record_failure(
        self, event_id: str, error: str, *, max_attempts: int, retry_in_seconds: float
    ) -> bool:
        return await db.record_failure(
            self.session,
            event_id,
            error,
            max_attempts=max_attempts,
            retry_in_seconds=retry_in_seconds,
        )

    async def cursor(self, name: str) -> int | None:
        return await db.cursor_position(self.session, name)

    async def move_cursor(self, name: str, position: int) -> None:
        await db.move_cursor(self.session, name, position)
