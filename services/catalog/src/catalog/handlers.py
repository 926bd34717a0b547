"""Catalog's bus subscribers: parse the message, hand it to the service layer."""

from __future__ import annotations

from catalog import service
from contracts import Envelope
from contracts.booking import BookingCompleted
from service_runtime.consumer import MessageHandlers
from service_runtime.unit_of_work import UnitOfWork


def catalog_handlers() -> MessageHandlers:
    """The messages catalog consumes: completed bookings, which open a studio to review."""
    handlers = MessageHandlers()

    @handlers.on(BookingCompleted)
    async def booking_completed(uow: UnitOfWork, message: BookingCompleted, _: Envelope) -> None:
        await service.record_completed_booking(uow, message)

    return handlers
