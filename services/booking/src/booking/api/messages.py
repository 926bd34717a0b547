"""Messages between a booking's booker and the studio's owner; the admin timeline."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from booking import service
from booking.api.deps import UnitsDep
from booking.api.schemas import MessageIn, MessageOut, Timeline, TimelineEntry
from service_runtime.auth import AdminUser, CurrentUser

router = APIRouter(tags=["messages"])


@router.get("/api/bookings/{booking_id}/messages")
async def list_messages(
    booking_id: uuid.UUID, principal: CurrentUser, units: UnitsDep
) -> list[MessageOut]:
    return [MessageOut.of(row) for row in await service.messages(units, principal, booking_id)]


@router.post("/api/bookings/{booking_id}/messages", status_code=201)
async def send_message(
    booking_id: uuid.UUID, body: MessageIn, principal: CurrentUser, units: UnitsDep
) -> MessageOut:
    return MessageOut.of(await service.send_message(units, principal, booking_id, body.body))


@router.get("/api/admin/bookings/{booking_id}/timeline")
async def booking_timeline(booking_id: uuid.UUID, _: AdminUser, units: UnitsDep) -> Timeline:
    """Every saga step and message of a booking, with message ids and trace ids."""
    booking, rows = await service.timeline(units, booking_id)
    return Timeline(
        booking_id=booking.id,
        status=booking.status,
        entries=[TimelineEntry.of(row) for row in rows],
    )
