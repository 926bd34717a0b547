"""The conversation between a booking's booker and its studio's owner (admins read it too)."""

from __future__ import annotations

import uuid

from booking.repositories import BookingUnits, ChatMessage, HistoryEntry
from booking.service.reads import visible_booking
from contracts.booking import MESSAGE_EXCERPT_LENGTH, MessagePosted
from service_runtime.auth import Principal
from service_runtime.tracing import current_traceparent


class TooManyMessages(Exception):
    """The booking's conversation reached its bound."""


async def messages(
    units: BookingUnits, principal: Principal, booking_id: uuid.UUID, *, limit: int, offset: int
) -> list[ChatMessage]:
    async with units.begin() as unit:
        await visible_booking(unit, principal, booking_id)
        return await unit.chat.page(booking_id, limit=limit, offset=offset)


async def send_message(
    units: BookingUnits, principal: Principal, booking_id: uuid.UUID, body: str, *, most: int
) -> ChatMessage:
    """Add a message to the booking's conversation, which holds at most `most` messages."""
    async with units.begin() as unit:
        await visible_booking(unit, principal, booking_id)
        if await unit.chat.count(booking_id) >= most:
            raise TooManyMessages(f"a booking's conversation holds at most {most} messages")
        message = ChatMessage(
            id=uuid.uuid4(),
            booking_id=booking_id,
            author_id=principal.user_id,
            author_role=principal.role.value if principal.role else "unknown",
            body=body,
            sent_at=unit.now,
        )
        await unit.chat.add(message)
        posted = MessagePosted(
            booking_id=booking_id,
            chat_message_id=message.id,
            author_id=message.author_id,
            excerpt=body[:MESSAGE_EXCERPT_LENGTH],
            posted_at=message.sent_at,
        )
        await unit.publish(posted, correlation_id=str(booking_id))
        await unit.history.add(
            HistoryEntry(
                booking_id=booking_id,
                kind="chat",
                name="message",
                note=f"message {message.id}",
                traceparent=current_traceparent(),
                actor_id=str(principal.user_id),
            )
        )
        return message
