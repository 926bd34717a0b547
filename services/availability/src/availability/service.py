"""Availability's use cases: each runs in one unit of work and records its messages there."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg.errors
from sqlalchemy.exc import IntegrityError

from availability import db
from availability.domain.intervals import Interval
from availability.domain.reservations import (
    Confirmation,
    Reservation,
    ReservationNotFound,
    ReservationStatus,
    SlotUnavailable,
    confirmation_for,
    new_hold,
)
from availability.domain.schedule import (
    Blackout,
    WeeklyRule,
    blackouts_for_room,
    opening,
    rules_for_room,
)
from availability.domain.slots import Refusal, free_starts, refusal
from availability.domain.studios import BookingPolicy, Studio, StudioNotFound
from contracts.availability import (
    ConfirmSlots,
    HoldExpired,
    HoldSlots,
    LostReason,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsReleased,
    SlotsUnavailable,
    UnavailableReason,
)
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from contracts.values import TimeRange
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

StudioEvent = StudioPublished | StudioUpdated | StudioUnlisted | StudioSuspended
# A compare-and-set that loses re-reads and decides again; more losses than this is a bug.
_CAS_ATTEMPTS = 5


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: a user id, and whether they are an admin."""

    user_id: str
    is_admin: bool = False


@dataclass(frozen=True)
class HoldRequest:
    studio_id: uuid.UUID
    room_id: uuid.UUID
    during: Interval
    booking_id: uuid.UUID | None = None
    held_by: str | None = None


# The studio read model


async def apply_studio_event(uow: UnitOfWork, event: StudioEvent) -> bool:
    """Keep the studio as of the highest revision seen; False when the event was older."""
    studio = Studio(
        id=event.studio_id,
        owner_id=event.owner_id,
        timezone=event.timezone,
        room_ids=frozenset(room.room_id for room in event.rooms),
        status=event.status,
        revision=event.revision,
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
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, blackout: Blackout
) -> Blackout:
    async with units.begin() as uow:
        studio = await _owned_studio(uow, studio_id, actor)
        if blackout.room_id is not None and not studio.has_room(blackout.room_id):
            raise StudioNotFound(f"{studio_id} with a room {blackout.room_id}")
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
    """The room's opening intervals and blackout intervals around a window, in UTC."""
    zone = studio.zone
    first = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date() + timedelta(days=1)
    rules = rules_for_room(await db.rules_of(uow.session, studio.id), room_id)
    closures = blackouts_for_room(
        await db.blackouts_of(uow.session, studio.id, touching=(first, last)), room_id
    )
    hours = opening(rules, zone, window.start, window.end)
    return hours, [blackout.interval(zone) for blackout in closures]


async def calendar(
    units: UnitsOfWork, studio_id: uuid.UUID, actor: Actor, window: Interval, now: datetime
) -> tuple[Studio, list[Reservation]]:
    """The studio's live reservations (held or booked) in a window, for its owner."""
    async with units.begin() as uow:
        studio = await _owned_studio(uow, studio_id, actor)
        return studio, await db.live_in_studio(uow.session, studio_id, window, now)


# Holds, confirmations, releases


def _is_overlap(error: IntegrityError) -> bool:
    return isinstance(error.orig, psycopg.errors.ExclusionViolation)


async def place_hold(
    uow: UnitOfWork, request: HoldRequest, *, hold_for: timedelta, now: datetime
) -> Reservation | Refusal:
    """Hold a room for a range, or say why not; the database refuses overlaps itself."""
    if request.booking_id is not None:
        for existing in await db.held_or_booked_for(uow.session, request.booking_id):
            same = existing.room_id == request.room_id and existing.during == request.during
            if same and existing.is_live(now):
                return existing  # the same request again: the same answer
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
    await _expire_lapsed(uow, hold, now)
    if await db.live_in_room(uow.session, hold.room_id, hold.blocks, now):
        # A cheap early answer for committed overlaps; concurrent ones meet the constraint.
        return _taken()
    try:
        async with uow.session.begin_nested():
            await db.add_reservation(uow.session, hold)
    except IntegrityError as error:
        if not _is_overlap(error):
            raise
        return _taken()
    return hold


def _taken() -> Refusal:
    return Refusal(UnavailableReason.ALREADY_RESERVED, "The room is taken for that time.")


async def _expire_lapsed(uow: UnitOfWork, reservation: Reservation, now: datetime) -> None:
    """Lapsed holds in the way stop counting now, before the sweeper gets to them."""
    for lapsed in await db.expire_lapsed_overlapping(
        uow.session, reservation.room_id, reservation.blocks, now
    ):
        await _announce_expiry(uow, lapsed, now)


async def _announce_expiry(uow: UnitOfWork, lapsed: Reservation, now: datetime) -> None:
    if lapsed.booking_id is None:
        return  # a hold made over HTTP without a booking: nobody waits to hear about it
    await uow.publish(
        HoldExpired(
            booking_id=lapsed.booking_id,
            reservation_id=lapsed.id,
            studio_id=lapsed.studio_id,
            room_id=lapsed.room_id,
            time_range=_time_range(lapsed.during),
            expired_at=lapsed.expires_at or now,
        ),
        correlation_id=str(lapsed.booking_id),
    )


def _time_range(interval: Interval) -> TimeRange:
    return TimeRange(starts_at=interval.start, ends_at=interval.end)


def _held(reservation: Reservation) -> SlotsHeld:
    assert reservation.booking_id is not None
    assert reservation.expires_at is not None
    return SlotsHeld(
        booking_id=reservation.booking_id,
        reservation_id=reservation.id,
        studio_id=reservation.studio_id,
        room_id=reservation.room_id,
        time_range=_time_range(reservation.during),
        expires_at=reservation.expires_at,
    )


async def hold_for_booker(
    units: UnitsOfWork, request: HoldRequest, *, hold_for: timedelta, now: datetime
) -> Reservation:
    """A hold asked for over HTTP; raises SlotUnavailable when refused."""
    async with units.begin() as uow:
        outcome = await place_hold(uow, request, hold_for=hold_for, now=now)
        if isinstance(outcome, Reservation) and outcome.booking_id is not None:
            await uow.publish(_held(outcome), correlation_id=str(outcome.booking_id))
    if isinstance(outcome, Refusal):
        raise SlotUnavailable(outcome.reason, outcome.detail)
    return outcome


async def hold_for_booking(
    uow: UnitOfWork, command: HoldSlots, *, hold_for: timedelta, now: datetime
) -> None:
    """The saga's HoldSlots: answered with SlotsHeld or SlotsUnavailable."""
    request = HoldRequest(
        studio_id=command.studio_id,
        room_id=command.room_id,
        during=Interval(command.time_range.starts_at, command.time_range.ends_at),
        booking_id=command.booking_id,
    )
    outcome = await place_hold(uow, request, hold_for=hold_for, now=now)
    if isinstance(outcome, Reservation):
        await uow.publish(_held(outcome), correlation_id=str(command.booking_id))
        return
    await uow.publish(
        SlotsUnavailable(
            booking_id=command.booking_id,
            studio_id=command.studio_id,
            room_id=command.room_id,
            time_range=command.time_range,
            reason=outcome.reason,
            detail=outcome.detail,
        ),
        correlation_id=str(command.booking_id),
    )


async def confirm(uow: UnitOfWork, command: ConfirmSlots, *, now: datetime) -> None:
    """Book a held reservation: SlotsConfirmed, or SlotsLost when it cannot be had."""
    for _ in range(_CAS_ATTEMPTS):
        reservation = await db.reservation_by_id(uow.session, command.reservation_id)
        decision = confirmation_for(reservation, command.booking_id)
        if decision is Confirmation.NOT_FOUND or reservation is None:
            return await _lost(uow, command, LostReason.NOT_FOUND)
        if decision is Confirmation.RELEASED:
            return await _lost(uow, command, LostReason.RELEASED)
        if decision is Confirmation.ALREADY_BOOKED:
            return await _confirmed(uow, reservation, reservation.confirmed_at or now)
        if decision is Confirmation.REBOOK_IF_FREE:
            await _expire_lapsed(uow, reservation, now)
            try:
                async with uow.session.begin_nested():
                    changed = await db.change_status(
                        uow.session, reservation, ReservationStatus.BOOKED, confirmed_at=now
                    )
            except IntegrityError as error:
                if not _is_overlap(error):
                    raise
                return await _lost(uow, command, LostReason.TAKEN)
        else:
            changed = await db.change_status(
                uow.session, reservation, ReservationStatus.BOOKED, confirmed_at=now
            )
        if changed:
            return await _confirmed(uow, reservation, now)
    raise RuntimeError(f"reservation {command.reservation_id} kept changing under ConfirmSlots")


async def _confirmed(uow: UnitOfWork, reservation: Reservation, confirmed_at: datetime) -> None:
    assert reservation.booking_id is not None
    await uow.publish(
        SlotsConfirmed(
            booking_id=reservation.booking_id,
            reservation_id=reservation.id,
            studio_id=reservation.studio_id,
            room_id=reservation.room_id,
            time_range=_time_range(reservation.during),
            confirmed_at=confirmed_at,
        ),
        correlation_id=str(reservation.booking_id),
    )


async def _lost(uow: UnitOfWork, command: ConfirmSlots, reason: LostReason) -> None:
    await uow.publish(
        SlotsLost(
            booking_id=command.booking_id, reservation_id=command.reservation_id, reason=reason
        ),
        correlation_id=str(command.booking_id),
    )


async def release(uow: UnitOfWork, command: ReleaseSlots, *, now: datetime) -> None:
    """Free what the booking holds or booked; answered with SlotsReleased whatever there was."""
    released: list[uuid.UUID] = []
    for _ in range(_CAS_ATTEMPTS):
        pending = [
            reservation
            for reservation in await db.held_or_booked_for(uow.session, command.booking_id)
            if command.reservation_id in (None, reservation.id)
        ]
        if not pending:
            break
        for reservation in pending:
            if await db.change_status(uow.session, reservation, ReservationStatus.RELEASED):
                released.append(reservation.id)
    else:
        raise RuntimeError(f"reservations of booking {command.booking_id} kept changing")
    await uow.publish(
        SlotsReleased(
            booking_id=command.booking_id,
            reservation_id=released[0] if released else command.reservation_id,
            reason=command.reason,
            released_at=now,
        ),
        correlation_id=str(command.booking_id),
    )


async def release_for_booker(units: UnitsOfWork, reservation_id: uuid.UUID, actor: Actor) -> None:
    """A booker lets go of their own HTTP hold before it lapses."""
    async with units.begin() as uow:
        reservation = await db.reservation_by_id(uow.session, reservation_id)
        if reservation is None or (reservation.held_by != actor.user_id and not actor.is_admin):
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
