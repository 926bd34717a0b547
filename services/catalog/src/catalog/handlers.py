"""Catalog's bus subscribers: parse the message, hand it to the service layer."""

from __future__ import annotations

from catalog import db, service
from contracts import Envelope
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
)
from contracts.identity import UserCreated, UserDeleted, UserUpdated
from service_runtime.consumer import MessageHandlers
from service_runtime.trust import follow_access_changes
from service_runtime.unit_of_work import UnitOfWork


def catalog_handlers() -> MessageHandlers:
    """The messages catalog consumes: booking's confirmations and ends, which guard the rooms
    and time zone of studios with bookings to come; completions, which open reviews; and
    identity's users: names for their reviews, role changes and deletions to refuse stale
    tokens."""
    handlers = follow_access_changes(MessageHandlers(), db.user_access)

    @handlers.on(BookingConfirmed)
    async def booking_confirmed(uow: UnitOfWork, message: BookingConfirmed, _: Envelope) -> None:
        await service.record_confirmed_booking(uow, message)

    @handlers.on(BookingCompleted)
    async def booking_completed(uow: UnitOfWork, message: BookingCompleted, _: Envelope) -> None:
        await service.record_completed_booking(uow, message)

    @handlers.on(BookingCancelled)
    @handlers.on(BookingFailed)
    @handlers.on(BookingNoShow)
    async def booking_ended(uow: UnitOfWork, message: service.BookingEnded, _: Envelope) -> None:
        await service.record_ended_booking(uow, message)

    @handlers.on(UserCreated)
    @handlers.on(UserUpdated)
    async def user_named(
        uow: UnitOfWork, message: UserCreated | UserUpdated, envelope: Envelope
    ) -> None:
        await service.record_user_name(uow, message.user_id, message.name, envelope.occurred_at)

    # One handler per message type: a deletion is still recorded for the tokens, then the name
    # is replaced, so a deleted person's reviews say "deleted user".
    _, refuse_tokens = handlers.by_type[UserDeleted.message_type]

    @handlers.on(UserDeleted)
    async def user_deleted(uow: UnitOfWork, message: UserDeleted, envelope: Envelope) -> None:
        await refuse_tokens(uow, message, envelope)
        await service.forget_user_name(
            uow, message.user_id, message.deleted_at or envelope.occurred_at
        )

    return handlers
