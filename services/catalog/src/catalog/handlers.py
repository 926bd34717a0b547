"""Catalog's bus subscribers: parse the message, hand it to the service layer."""

from __future__ import annotations

from catalog.db.base import user_access
from catalog.db.reviews import reviewer_names
from catalog.db.unit import SqlCatalogUnit
from catalog.service import bookings, reviews
from contracts import Envelope
from contracts.availability import FreeTimeChanged
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
    BookingRescheduled,
)
from service_runtime.consumer import MessageHandlers
from service_runtime.trust import follow_access_changes
from service_runtime.unit_of_work import UnitOfWork
from service_runtime.user_names import follow_user_names


def message_handlers() -> MessageHandlers:
    """The messages catalog consumes: booking's confirmations, moves and ends, which guard the rooms
    and time zone of studios with bookings to come; completions, which open reviews;
    availability's free time of studios, which search filters on; and
    identity's users: names for their reviews, role changes and deletions to refuse stale
    tokens."""
    handlers = follow_access_changes(MessageHandlers(), user_access)

    @handlers.on(BookingConfirmed)
    async def booking_confirmed(uow: UnitOfWork, message: BookingConfirmed, _: Envelope) -> None:
        await bookings.record_confirmed_booking(SqlCatalogUnit(uow), message)

    @handlers.on(BookingRescheduled)
    async def booking_rescheduled(
        uow: UnitOfWork, message: BookingRescheduled, _: Envelope
    ) -> None:
        await bookings.record_rescheduled_booking(SqlCatalogUnit(uow), message)

    @handlers.on(BookingCompleted)
    async def booking_completed(uow: UnitOfWork, message: BookingCompleted, _: Envelope) -> None:
        await bookings.record_completed_booking(SqlCatalogUnit(uow), message)

    @handlers.on(BookingCancelled)
    @handlers.on(BookingFailed)
    @handlers.on(BookingNoShow)
    async def booking_ended(uow: UnitOfWork, message: bookings.BookingEnded, _: Envelope) -> None:
        await bookings.record_ended_booking(SqlCatalogUnit(uow), message)

    @handlers.on(FreeTimeChanged)
    async def free_time_changed(uow: UnitOfWork, message: FreeTimeChanged, _: Envelope) -> None:
        await SqlCatalogUnit(uow).replace_free_time(message)

    # A deletion is still recorded for the tokens, then the name is forgotten, so a deleted
    # person's reviews no longer say who wrote them.
    follow_user_names(handlers, reviewer_names, reviews.reviewer_name)

    return handlers
