"""Messages between a booking's booker and the studio's owner; the admin timeline."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from booking.api.deps import BookingUnitsDep, SettingsDep
from booking.api.message_schemas import MessageIn, MessageOut, Timeline, TimelineEntry
from booking.service import chat, reads
from service_runtime.auth import AdminUser, CurrentUser

router = APIRouter(tags=["messages"])


@router.get("/api/bookings/{booking_id}/messages")
async def list_messages(
    booking_id: uuid.UUID,
    principal: CurrentUser,
    units: BookingUnitsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[MessageOut]:
    """The booking's messages, oldest first, a page at a time."""
    rows = await chat.messages(units, principal, booking_id, limit=limit, offset=offset)
    return [MessageOut.of(row) for row in rows]


@router.post("/api/bookings/{booking_id}/messages", status_code=201)
async def send_message(
    booking_id: uuid.UUID,
    body: MessageIn,
    principal: CurrentUser,
    units: BookingUnitsDep,
    settings: SettingsDep,
) -> MessageOut:
    most = settings.max_messages_per_booking
    return MessageOut.of(
        await chat.send_message(units, principal, booking_id, body.body, most=most)
    )


@router.get("/api/admin/bookings/{booking_id}/timeline")
async def booking_timeline(booking_id: uuid.UUID, _: AdminUser, units: BookingUnitsDep) -> Timeline:
    """Every saga step and message of a booking, with message ids and trace ids."""
    booking, rows = await reads.timeline(units, booking_id)
    return Timeline(
        booking_id=booking.id,
        status=booking.status,
        entries=[TimelineEntry.of(row) for row in rows],
    )
