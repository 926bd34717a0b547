"""The saga's shell through the service layer, on fakes: replies matched to the commands they
answer, lost races decided again, deadlines fired once, catalog's studio events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Booking, BookingNotFound, Status
from booking.domain.saga import DeadlinePassed
from booking.domain.studios import Studio
from booking.repositories import ConcurrentUpdate, HistoryEntry
from booking.service.saga import Source, fire_due_deadline, handle_reply, run_saga
from booking.service.studio_events import apply_studio_event
from contracts import Envelope, Message
from contracts.availability import HoldSlots, ReleaseSlots, SlotsHeld
from contracts.booking import BookingCancelled, BookingFailed, CancellationReason
from contracts.catalog import RoomSnapshot, StudioPublished, StudioSuspended
from contracts.payments import AuthorizePayment

from .conftest import NOW, RULES, confirmed
from .fakes import FakeBookings, FakeBookingUnits
from .service_world import World


def held(booking: Booking) -> SlotsHeld:
    return SlotsHeld(
        booking_id=booking.id,
        reservation_id=uuid.uuid4(),
        studio_id=booking.studio_id,
        room_id=booking.room_id,
        time_range=booking.time_range,
        expires_at=NOW + timedelta(minutes=10),
    )


def answering(units: FakeBookingUnits, message: Message, command: type[Message]) -> Envelope:
    """The reply's envelope as availability or payments sends it: caused by our command."""
    [sent] = [envelope for m, envelope in units.outbox.published if isinstance(m, command)]
    return Envelope.wrap(message, causation_id=sent.message_id)


async def reply(units: FakeBookingUnits, message: Message, envelope: Envelope) -> None:
    async with units.begin(causation_id=envelope.message_id) as unit:
        await handle_reply(unit, message, envelope, RULES)


async def test_slots_held_answering_our_hold_wait_for_the_payment_asked_for_with_it() -> None:
    world = World()
    booking = await world.book()
    [authorize] = world.units.outbox.messages(AuthorizePayment)  # sent with the hold
    assert (authorize.booking_id, authorize.amount) == (booking.id, booking.total)
    message = held(booking)

    await reply(world.units, message, answering(world.units, message, HoldSlots))

    stored = world.units.tables.bookings[booking.id]
    assert stored.status is Status.PENDING_PAYMENT
    assert stored.client_secret is None  # until payments answers: no answer for the booker yet
    assert stored.reservation_id == message.reservation_id
    assert world.units.outbox.messages(AuthorizePayment) == [authorize]  # not asked twice
    received = [e for e in world.units.tables.history if e.kind == "received"]
    assert [e.name for e in received] == [SlotsHeld.message_type]


async def test_a_reply_to_a_command_never_sent_changes_nothing_and_is_recorded_as_ignored() -> None:
    world = World()
    booking = await world.book()
    message = held(booking)

    sent_before = len(world.units.outbox.published)

    await reply(world.units, message, Envelope.wrap(message, causation_id=uuid.uuid4()))

    assert world.units.tables.bookings[booking.id] == booking
    assert len(world.units.outbox.published) == sent_before
    assert world.units.tables.history[-1].kind == "ignored"


async def test_a_reply_for_an_unknown_booking_is_dropped() -> None:
    world = World()
    stranger = replace(await world.book(), id=uuid.uuid4())
    message = held(stranger)
    sent_before = len(world.units.outbox.published)

    await reply(world.units, message, Envelope.wrap(message))

    assert len(world.units.outbox.published) == sent_before
    assert all(e.booking_id != stranger.id for e in world.units.tables.history)


async def test_a_lost_race_is_decided_again_on_the_fresh_booking() -> None:
    world = World()
    booking = await world.book()
    message = held(booking)
    envelope = answering(world.units, message, HoldSlots)
    lost = []

    class RacedOnce(FakeBookings):
        async def save(
            self, changed: Booking, loaded: Booking, history: Sequence[HistoryEntry] = ()
        ) -> Booking:
            if not lost:  # another transaction saved this booking first
                lost.append(changed.id)
                stored = self._rows[changed.id]
                self._rows[changed.id] = replace(stored, version=stored.version + 1)
            return await super().save(changed, loaded, history)

    async with world.units.begin(causation_id=envelope.message_id) as unit:
        unit.bookings = RacedOnce(unit.bookings._uow)  # type: ignore[attr-defined]
        await handle_reply(unit, message, envelope, RULES)

    assert lost == [booking.id]
    stored = world.units.tables.bookings[booking.id]
    assert stored.reservation_id == message.reservation_id
    assert stored.version == 3  # the racer's version, then ours
    received = [e for e in world.units.tables.history if e.kind == "received"]
    assert [e.name for e in received] == [SlotsHeld.message_type]  # the step recorded once


async def test_a_save_that_loses_every_race_gives_up_and_keeps_nothing() -> None:
    world = World()
    booking = await world.book()
    message = held(booking)
    envelope = answering(world.units, message, HoldSlots)

    class AlwaysRaced(FakeBookings):
        async def save(
            self, changed: Booking, loaded: Booking, history: Sequence[HistoryEntry] = ()
        ) -> Booking:
            raise ConcurrentUpdate(changed.id)

    async def reply_racing() -> None:
        async with world.units.begin(causation_id=envelope.message_id) as unit:
            unit.bookings = AlwaysRaced(unit.bookings._uow)  # type: ignore[attr-defined]
            await handle_reply(unit, message, envelope, RULES)

    sent_before = len(world.units.outbox.published)
    with pytest.raises(ConcurrentUpdate):
        await reply_racing()

    assert world.units.tables.bookings[booking.id] == booking
    assert len(world.units.outbox.published) == sent_before


async def test_an_unanswered_request_is_asked_again_then_fails_at_its_deadlines() -> None:
    world = World()
    booking = await world.book()
    rounds = 0
    while world.units.tables.bookings[booking.id].status is Status.REQUESTED:
        due = world.units.tables.bookings[booking.id].deadline_at
        assert due is not None
        assert rounds <= RULES.max_resends
        assert await fire_due_deadline(world.units, RULES, due)
        assert not await fire_due_deadline(world.units, RULES, due)  # fired once, moved on
        rounds += 1

    stored = world.units.tables.bookings[booking.id]
    assert stored.status is Status.FAILED
    assert len(world.units.outbox.messages(HoldSlots)) == 1 + RULES.max_resends
    [failed] = world.units.outbox.messages(BookingFailed)
    assert failed.booking_id == booking.id
    timers = [e for e in world.units.tables.history if e.kind == "timer"]
    assert len(timers) == rounds == RULES.max_resends + 1


async def test_nothing_fires_before_its_deadline() -> None:
    world = World()
    booking = await world.book()

    assert not await fire_due_deadline(world.units, RULES, NOW)
    assert world.units.tables.bookings[booking.id] == booking


def published(
    studio: Studio, kind: type[StudioPublished] = StudioPublished, **changes: object
) -> StudioPublished:
    fields: dict[str, object] = {
        "studio_id": studio.studio_id,
        "revision": studio.revision,
        "slug": "blue-room",
        "owner_id": studio.owner_id,
        "name": studio.name,
        "timezone": studio.timezone,
        "currency": studio.currency,
        "hourly_price_minor": studio.hourly_price_minor,
        "minimum_hours": studio.minimum_hours,
        "cancellation_policy": studio.cancellation_policy,
        "rooms": [
            RoomSnapshot(room_id=r.room_id, name="Live room", capacity=4) for r in studio.rooms
        ],
        "status": studio.status,
        "changed_at": NOW,
    }
    if kind is StudioSuspended:
        fields.update(reason="complaints", status="suspended")
    fields.update(changes)
    return kind(**fields)  # type: ignore[arg-type]


async def studio_event(units: FakeBookingUnits, event: StudioPublished) -> bool:
    async with units.begin() as unit:
        return await apply_studio_event(unit, event, Envelope.wrap(event), RULES)


async def test_a_newer_revision_of_a_studio_replaces_the_older_and_an_older_one_is_ignored() -> (
    None
):
    world = World()

    newer = await studio_event(world.units, published(world.the_studio, revision=3, name="New"))
    older = await studio_event(world.units, published(world.the_studio, revision=2, name="Old"))

    stored = world.units.tables.studios[world.the_studio.studio_id]
    assert (newer, older) == (True, False)
    assert (stored.revision, stored.name) == (3, "New")


async def test_a_suspension_cancels_the_studios_bookings_to_come_with_a_full_refund() -> None:
    world = World()
    upcoming = replace(
        confirmed(), studio_id=world.the_studio.studio_id, owner_id=world.owner.user_id
    )
    past = replace(
        upcoming,
        id=uuid.uuid4(),
        starts_at=NOW - timedelta(days=2),
        ends_at=NOW - timedelta(days=2) + timedelta(hours=2),
    )
    world.units.tables.bookings.update({upcoming.id: upcoming, past.id: past})
    admin = uuid.uuid4()

    await studio_event(
        world.units, published(world.the_studio, StudioSuspended, revision=2, suspended_by=admin)
    )

    assert world.units.tables.bookings[upcoming.id].status is Status.CANCELLED
    assert world.units.tables.bookings[past.id] == past
    [cancelled] = world.units.outbox.messages(BookingCancelled)
    assert cancelled.booking_id == upcoming.id
    assert cancelled.reason is CancellationReason.STUDIO_UNAVAILABLE
    assert cancelled.refund.amount_minor == upcoming.price.total_minor
    assert world.units.outbox.messages(ReleaseSlots)
    [step] = [e for e in world.units.tables.history if e.kind == "received"]
    assert step.booking_id == upcoming.id
    assert step.actor_id == str(admin)


async def test_a_booking_not_found_by_the_saga_is_an_error_to_its_caller() -> None:
    world = World()

    async def decide_unknown() -> None:
        async with world.units.begin() as unit:
            await run_saga(unit, uuid.uuid4(), DeadlinePassed(), Source("timer", "x"), RULES)

    with pytest.raises(BookingNotFound):
        await decide_unknown()
