"""Availability's use cases: each runs in one unit of work and records its messages there."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg.errors
from sqlalchemy.exc import IntegrityError

from availability import db, external_db, feeds_db
from availability.domain.holds import (
    RATE_WINDOW,
    HoldLimits,
    check_person_may_hold,
    length_refusal,
)
from availability.domain.intervals import Interval
from availability.domain.reservations import (
    Reservation,
    ReservationNotFound,
    ReservationStatus,
    SlotUnavailable,
    new_hold,
)
from availability.domain.schedule import (
    Blackout,
    WeeklyRule,
    blackouts_for_room,
    check_room_for_blackout,
    opening,
    rules_for_room,
)
from availability.domain.slots import Refusal, free_starts, refusal
from availability.domain.studios import BookingPolicy, Studio, StudioNotFound
from contracts.availability import (
    HoldExpired,
    UnavailableReason,
)
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from contracts.values import TimeRange
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

StudioEvent = StudioPublished | StudioUpdated | StudioUnlisted | StudioSuspended


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: our user id, and whether they are an admin."""

    user_id: uuid.UUID
    is_admin: bool = False


@dataclass(frozen=True)
class HoldRequest:
    """A hold for a booking (the saga's HoldSlots) or for a person (over HTTP), never both."""

    studio_id: uuid.UUID
    room_id: uuid.UUID
    during: Interval
    booking_id: uuid.UUID | None = None
    held_by: str | None = None

    def __post_init__(self) -> None:
        if (self.booking_id is None) == (self.held_by is None):
            raise ValueError("a hold is for a booking or for a person")


# The studio read model


async def apply_studio_event(uow: UnitOfWork, event: StudioEvent) -> bool:
    """Keep the studio (and the names its calendar feeds show) as of the highest revision seen;
    False when the event was older."""
    studio = Studio(
        id=event.studio_id,
        owner_id=event.owner_id,
        timezone=event.timezone,
        room_ids=frozenset(room.room_id for room in event.rooms),
        status=event.status,
        revision=event.revision,
    )
    rooms = {room.room_id: room.name for room in event.rooms}
    await feeds_db.save_studio_names(
        uow.session, event.studio_id, event.name, rooms, event.revision
    )
    return await db.upsert_studio(uow.session, studio)


async def _studio(uow: UnitOfWork, studio_id: uuid.UUID) -> Studio:
    studio = await db.studio_by_id(uow.session, studio_id)
    if studio is None:
        raise StudioNotFound(studio_id)
    return studio


async def _owned_studio(uow: UnitOfWork, studio_id: uuid.UUID, actor: Actor) -> Studio:
    studio = await _studio(uow, studio_id)
    studio.check_may_change(actor.user_id, is_admin=actor.is_admin)
    return studio


# Owners: weekly rules, blackouts, booking policy


async def weekly_rules(units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor) -> list[WeeklyRule]:
    async with units.begin() as uow:
        await _owned_studio(uow, studio_id, actor)
        return await db.rules_of(uow.session, studio_id)


async def replace_weekly_rules(
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, rules: Sequence[WeeklyRule]
) -> list[WeeklyRule]:
    """Replace all the studio's rules (studio-wide and per room) in one go."""
    async with units.begin() as uow:
        studio = await _owned_studio(uow, studio_id, actor)
        for rule in rules:
            if rule.room_id is not None and not studio.has_room(rule.room_id):
                raise StudioNotFound(f"{studio_id} with a room {rule.room_id}")
        await db.replace_rules(uow.session, studio_id, rules)
        return await db.rules_of(uow.session, studio_id)


async def blackouts(units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor) -> list[Blackout]:
    async with units.begin() as uow:
        await _owned_studio(uow, studio_id, actor)
        return await db.blackouts_of(uow.session, studio_id)


async def add_blackout(
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, blackout: Blackout, *, limit: int
) -> Blackout:
    """Add a blackout unless the studio has `limit` already."""
    async with units.begin() as uow:
        studio = await _owned_studio(uow, studio_id, actor)
        if blackout.room_id is not None and not studio.has_room(blackout.room_id):
            raise StudioNotFound(f"{studio_id} with a room {blackout.room_id}")
        await db.lock(uow.session, f"availability.blackouts:{studio_id}")
        check_room_for_blackout(await db.blackout_count(uow.session, studio_id), limit)
        await db.add_blackout(uow.session, studio_id, blackout)
    return blackout


async def remove_blackout(
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, blackout_id: uuid.UUID
) -> None:
    async with units.begin() as uow:
        await _owned_studio(uow, studio_id, actor)
        if not await db.remove_blackout(uow.session, studio_id, blackout_id):
            raise StudioNotFound(f"{studio_id} with a blackout {blackout_id}")


async def booking_policy(units: UnitsOfWork, studio_id: uuid.UUID) -> BookingPolicy:
    async with units.begin() as uow:
        await _studio(uow, studio_id)
        return await db.policy_of(uow.session, studio_id)


async def set_booking_policy(
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, policy: BookingPolicy
) -> BookingPolicy:
    async with units.begin() as uow:
        await _owned_studio(uow, studio_id, actor)
        await db.save_policy(uow.session, studio_id, policy)
    return policy


# Queries


@dataclass(frozen=True)
class FreeSlots:
    studio: Studio
    slots: list[Interval]


async def free_slots(
    units: UnitsOfWork,
    *,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    window: Interval,
    duration: timedelta,
    now: datetime,
) -> FreeSlots:
    """Start times a booker can hold now; none for a studio that is not bookable."""
    async with units.begin() as uow:
        studio = await _studio(uow, studio_id)
        if not studio.has_room(room_id):
            raise StudioNotFound(f"{studio_id} with a room {room_id}")
        if not studio.bookable:
            return FreeSlots(studio, [])
        policy = await db.policy_of(uow.session, studio_id)
        reach = duration + timedelta(days=1, minutes=policy.buffer_minutes)
        around = Interval(window.start - reach, window.end + reach)
        hours, closed = await _hours(uow, studio, room_id, around)
        taken = await db.live_in_room(uow.session, room_id, around, now)
    slots = free_starts(
        opening=hours,
        blackouts=closed,
        taken=[reservation.blocks for reservation in taken],
        policy=policy,
        duration=duration,
        window=window,
        now=now,
    )
    return FreeSlots(studio, slots)


async def _hours(
    uow: UnitOfWork, studio: Studio, room_id: uuid.UUID, window: Interval
) -> tuple[list[Interval], list[Interval]]:
    """The room's opening intervals and closed intervals around a window, in UTC.

    Busy times of the room's external calendars close it exactly as blackouts do.
    """
    zone = studio.zone
    first = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date() + timedelta(days=1)
    rules = rules_for_room(await db.rules_of(uow.session, studio.id), room_id)
    closures = blackouts_for_room(
        await db.blackouts_of(uow.session, studio.id, touching=(first, last)), room_id
    )
    hours = opening(rules, zone, window.start, window.end)
    busy = await external_db.busy_in_room(uow.session, room_id, window)
    return hours, [*(blackout.interval(zone) for blackout in closures), *busy]


async def calendar(
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, window: Interval, now: datetime
) -> tuple[Studio, list[Reservation]]:
    """The studio's live reservations (held or booked) in a window, for its owner."""
    async with units.begin() as uow:
        studio = await _owned_studio(uow, studio_id, actor)
        return studio, await db.live_in_studio(uow.session, studio_id, window, now)


# Holds


def is_overlap(error: IntegrityError) -> bool:
    return isinstance(error.orig, psycopg.errors.ExclusionViolation)


async def place_hold(
    uow: UnitOfWork,
    request: HoldRequest,
    *,
    hold_for: timedelta,
    limits: HoldLimits,
    now: datetime,
) -> Reservation | Refusal:
    """Hold a room for a range, or say why not; the database refuses overlaps itself."""
    # Before any work that grows with the range: a long range is refused, not computed.
    too_long = length_refusal(request.during, limits)
    if too_long is not None:
        return too_long
    studio = await db.studio_by_id(uow.session, request.studio_id)
    if studio is None or not studio.bookable:
        return Refusal(UnavailableReason.STUDIO_NOT_BOOKABLE, "The studio takes no bookings.")
    if not studio.has_room(request.room_id):
        return Refusal(UnavailableReason.UNKNOWN_ROOM, "The studio has no such room.")
    policy = await db.policy_of(uow.session, studio.id)
    hours, closed = await _hours(uow, studio, request.room_id, request.during)
    refused = refusal(request.during, opening=hours, blackouts=closed, policy=policy, now=now)
    if refused is not None:
        return refused
    hold = new_hold(
        studio_id=studio.id,
        room_id=request.room_id,
        booking_id=request.booking_id,
        during=request.during,
        buffer=timedelta(minutes=policy.buffer_minutes),
        now=now,
        hold_for=hold_for,
        held_by=request.held_by,
    )
    await expire_lapsed_in_way(uow, hold, now)
    if await db.live_in_room(uow.session, hold.room_id, hold.blocks, now):
        # A cheap early answer for committed overlaps; concurrent ones meet the constraint.
        return _taken()
    try:
        async with uow.session.begin_nested():
            await db.add_reservation(uow.session, hold)
    except IntegrityError as error:
        if not is_overlap(error):
            raise
        return _taken()
    return hold


def _taken() -> Refusal:
    return Refusal(UnavailableReason.ALREADY_RESERVED, "The room is taken for that time.")


async def expire_lapsed_in_way(uow: UnitOfWork, reservation: Reservation, now: datetime) -> None:
    """Lapsed holds in the way stop counting now, before the sweeper gets to them."""
    for lapsed in await db.expire_lapsed_overlapping(
        uow.session, reservation.room_id, reservation.blocks, now
    ):
        await _announce_expiry(uow, lapsed, now)


async def _announce_expiry(uow: UnitOfWork, lapsed: Reservation, now: datetime) -> None:
    if lapsed.booking_id is None:
        return  # a person's hold made over HTTP: no saga waits to hear about it
    await uow.publish(
        HoldExpired(
            booking_id=lapsed.booking_id,
            reservation_id=lapsed.id,
            studio_id=lapsed.studio_id,
            room_id=lapsed.room_id,
            time_range=time_range_of(lapsed.during),
            expired_at=lapsed.expires_at or now,
        ),
        correlation_id=str(lapsed.booking_id),
    )


def time_range_of(interval: Interval) -> TimeRange:
    return TimeRange(starts_at=interval.start, ends_at=interval.end)


async def hold_for_person(
    units: UnitsOfWork,
    request: HoldRequest,
    *,
    hold_for: timedelta,
    limits: HoldLimits,
    now: datetime,
) -> Reservation:
    """A person's own hold, asked for over HTTP: no booking's saga ever sees it.

    Raises HoldLimitReached past the person's limits and SlotUnavailable when refused.
    """
    assert request.held_by is not None  # so booking_id is None: a hold is one or the other
    async with units.begin() as uow:
        # Counting and adding under one lock per person keeps replicas and races to the limit.
        await db.lock(uow.session, f"availability.person:{request.held_by}")
        holds = await db.holds_of_person(uow.session, request.held_by, now, RATE_WINDOW)
        check_person_may_hold(holds, limits, now)
        outcome = await place_hold(uow, request, hold_for=hold_for, limits=limits, now=now)
    if isinstance(outcome, Refusal):
        raise SlotUnavailable(outcome.reason, outcome.detail)
    return outcome


async def release_for_person(units: UnitsOfWork, reservation_id: uuid.UUID, actor: Actor) -> None:
    """A person lets go of their own HTTP hold before it lapses (an admin of anyone's).

    A booking's reservation is not a person's to release: its saga releases it.
    """
    async with units.begin() as uow:
        reservation = await db.reservation_by_id(uow.session, reservation_id)
        if (
            reservation is None
            or reservation.booking_id is not None
            or (reservation.held_by != str(actor.user_id) and not actor.is_admin)
        ):
            raise ReservationNotFound(reservation_id)
        if reservation.status is ReservationStatus.HELD:
            await db.change_status(uow.session, reservation, ReservationStatus.RELEASED)


async def sweep_lapsed_holds(units: UnitsOfWork, *, now: datetime, limit: int) -> int:
    """Expire one batch of lapsed holds and announce each; safe with several replicas."""
    async with units.begin() as uow:
        lapsed = await db.claim_lapsed_holds(uow.session, now, limit)
        for reservation in lapsed:
            if await db.change_status(uow.session, reservation, ReservationStatus.EXPIRED):
                await _announce_expiry(uow, reservation, now)
    return len(lapsed)


async def studio(units: UnitsOfWork, studio_id: uuid.UUID) -> Studio:
    async with units.begin() as uow:
        return await _studio(uow, studio_id)
