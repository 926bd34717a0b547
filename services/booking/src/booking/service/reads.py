"""Reading bookings: one with its history, a page of them, what a cancellation would refund,
the admin's timeline. Who may see one is `domain.access`'s decision."""

from __future__ import annotations

import uuid
from dataclasses import replace
from enum import StrEnum

from booking.domain.access import Side, canceller, side_among, side_of
from booking.domain.booking import Booking, BookingNotFound
from booking.domain.cancellation import CancellationPreview, preview_cancellation
from booking.domain.saga import SagaRules
from booking.domain.studios import Studio
from booking.repositories import BookingQuery, BookingUnit, BookingUnits, HistoryEntry
from contracts.identity import Role
from service_runtime.auth import Principal


class Party(StrEnum):
    """Which side of a booking the caller lists their bookings as."""

    BOOKER = "booker"
    OWNER = "owner"


async def visible_booking(
    unit: BookingUnit, principal: Principal, booking_id: uuid.UUID
) -> tuple[Booking, Side]:
    """The booking and the caller's side of it; `NotAllowed` when they have none."""
    booking, side, _ = await _visible_booking_of_studio(unit, principal, booking_id)
    return booking, side


async def _visible_booking_of_studio(
    unit: BookingUnit, principal: Principal, booking_id: uuid.UUID
) -> tuple[Booking, Side, Studio | None]:
    booking = await unit.bookings.get(booking_id)
    if booking is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    studio = await unit.studios.get(booking.studio_id)
    return booking, _side(booking, studio, principal), studio


def _side(booking: Booking, studio: Studio | None, principal: Principal) -> Side:
    """The caller's side of the booking; `NotAllowed` when they have none."""
    studio_owner = studio.owner_id if studio else None
    return side_of(
        booking, studio_owner, principal.user_id, is_admin=principal.has_role(Role.ADMIN)
    )


async def get_booking(
    units: BookingUnits, principal: Principal, booking_id: uuid.UUID
) -> tuple[Booking, list[HistoryEntry], Studio | None]:
    """The booking, its history, and its studio as the read model knows it: one statement, what
    a long poll reads to answer a change."""
    async with units.one_statement() as unit:
        view = await unit.bookings.viewed(booking_id)
    if view is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    _side(view.booking, view.studio, principal)
    return view.booking, view.history, view.studio


async def booking_version(units: BookingUnits, principal: Principal, booking_id: uuid.UUID) -> int:
    """The booking's version, once the caller is checked to see it: one statement, what a long
    poll looks at before and after it waits (it loads the booking only to answer a change)."""
    async with units.one_statement() as unit:
        stamp = await unit.bookings.stamp(booking_id)
    if stamp is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    side_among(
        stamp.booker_id,
        (stamp.owner_id, stamp.studio_owner_id),
        principal.user_id,
        is_admin=principal.has_role(Role.ADMIN),
    )
    return stamp.version


async def studios_of(units: BookingUnits, bookings: list[Booking]) -> dict[uuid.UUID, Studio]:
    """The studios these bookings are of, from the read model (names, rooms, time zone)."""
    async with units.begin() as unit:
        return await unit.studios.get_many({booking.studio_id for booking in bookings})


async def cancellation_preview(
    units: BookingUnits, principal: Principal, booking_id: uuid.UUID, rules: SagaRules
) -> tuple[CancellationPreview, Booking]:
    """What the caller's cancellation would refund now, by the saga's own cancel step."""
    async with units.begin() as unit:
        booking, side = await visible_booking(unit, principal, booking_id)
    preview = preview_cancellation(booking, canceller(side), unit.now, rules)
    return preview, booking


async def booking_state(units: BookingUnits, booking_id: uuid.UUID) -> Booking:
    async with units.one_statement() as unit:
        booking = await unit.bookings.get(booking_id)
    if booking is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    return booking


async def list_bookings(
    units: BookingUnits, principal: Principal, query: BookingQuery, party: Party | None
) -> tuple[list[Booking], int, dict[uuid.UUID, Studio]]:
    """Admins see all bookings; others their own and, for owners, their studios' bookings.

    `party` narrows to the caller's own bookings (booker) or their studios' (owner), for
    admins too. Each page comes with the studios its bookings are of.
    """
    me = principal.user_id
    runs_studios = principal.has_role(Role.OWNER, Role.ADMIN)
    if party is Party.BOOKER:
        query = replace(query, booker_id=me, owner_id=None, everyone=False)
    elif party is Party.OWNER:
        query = replace(
            query, booker_id=None, owner_id=me if runs_studios else None, everyone=False
        )
    elif principal.has_role(Role.ADMIN):
        query = replace(query, booker_id=None, owner_id=None, everyone=True)
    else:
        owner = me if principal.has_role(Role.OWNER) else None
        query = replace(query, booker_id=me, owner_id=owner, everyone=False)
    async with units.begin() as unit:
        items, total = await unit.bookings.page(replace(query, now=query.now or unit.now))
        studios = await unit.studios.get_many({item.studio_id for item in items})
    return items, total, studios


async def timeline(
    units: BookingUnits, booking_id: uuid.UUID
) -> tuple[Booking, list[HistoryEntry]]:
    """The booking and every step of its saga, for an admin."""
    async with units.begin() as unit:
        booking = await unit.bookings.get(booking_id)
        if booking is None:
            raise BookingNotFound(f"booking {booking_id} not found")
        return booking, await unit.history.of_booking(booking_id)
