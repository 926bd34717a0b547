"""The messages between a booking's booker and its studio's owner, on PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from booking.db.tables import booking_messages
from booking.repositories import ChatMessage


class SqlChat:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, message: ChatMessage) -> None:
        await self._session.execute(insert(booking_messages).values(asdict(message)))

    async def count(self, booking_id: uuid.UUID) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(booking_messages)
            .where(booking_messages.c.booking_id == booking_id)
        )
        return int(count or 0)

    async def page(self, booking_id: uuid.UUID, *, limit: int, offset: int) -> list[ChatMessage]:
        rows = await self._session.execute(
            select(booking_messages)
            .where(booking_messages.c.booking_id == booking_id)
            .order_by(booking_messages.c.sent_at, booking_messages.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [
            ChatMessage(
                id=row.id,
                booking_id=row.booking_id,
                author_id=row.author_id,
                author_role=row.author_role,
                body=row.body,
                sent_at=row.sent_at,
            )
            for row in rows
        ]
