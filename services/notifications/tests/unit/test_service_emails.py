"""Notifications' use cases on in-memory fakes (no servers): which emails an event records, for
whom, with what attached, and what preferences, cancellations and erasure do to them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts import Envelope
from contracts.booking import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingMoveDeclined,
    BookingMoveProposed,
    BookingPaymentFailed,
    BookingRescheduled,
    CancellationReason,
    CancelledBy,
    FailureReason,
    MessagePosted,
)
from contracts.payments import PaymentCaptured, PaymentFailureReason
from contracts.values import Money, TimeRange
from notifications.domain.notices import Kind, Preferences
from notifications.domain.read_models import Person, Studio
from notifications.emails import Composer
from notifications.service import booking_emails, money_emails, preferences, read_model, reminders
from notifications.service.writing import NotYetKnown, Writing

from .fakes import FakeNotificationsUnits

NOW = datetime(2030, 5, 1, 12, tzinfo=UTC)
STARTS = NOW + timedelta(days=3)


@dataclass
class World:
    units: FakeNotificationsUnits = field(
        default_factory=lambda: FakeNotificationsUnits(clock=lambda: NOW)
    )
    owner: Person = field(default_factory=lambda: Person(uuid.uuid4(), "olga@example.com", "Olga"))
    booker: Person = field(default_factory=lambda: Person(uuid.uuid4(), "bea@example.com", "Bea"))
    room_id: uuid.UUID = field(default_factory=uuid.uuid4)
    woken: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        tables = self.units.tables
        tables.people.update({self.owner.id: self.owner, self.booker.id: self.booker})
        self.studio = Studio(
            uuid.uuid4(), 1, self.owner.id, "Kreuzberg Sound Lab", "Europe/Berlin",
            rooms={self.room_id: "Live Room"},
        )  # fmt: skip
        tables.studios[self.studio.id] = self.studio
        self.writing = Writing(
            Composer(),
            "OneTime Studios <hello@example.com>",
            [timedelta(hours=24), timedelta(hours=2)],
            "https://studios.example.com",
            emails_recorded=lambda: self.woken.append(True),
        )

    def about(self, booking_id: uuid.UUID) -> dict[str, Any]:
        """Who and what every booking event of this world names."""
        return {
            "booking_id": booking_id,
            "booker_id": self.booker.id,
            "owner_id": self.owner.id,
            "studio_id": self.studio.id,
            "room_id": self.room_id,
            "time_range": TimeRange(starts_at=STARTS, ends_at=STARTS + timedelta(hours=2)),
        }

    def confirmed(self, booking_id: uuid.UUID | None = None) -> BookingConfirmed:
        return BookingConfirmed(
            **self.about(booking_id or uuid.uuid4()),
            price=Money(amount_minor=9000, currency="EUR"),
            confirmed_at=NOW,
        )

    def cancelled(self, booking_id: uuid.UUID) -> BookingCancelled:
        return BookingCancelled(
            **self.about(booking_id),
            cancelled_by=CancelledBy.BOOKER,
            reason=CancellationReason.REQUESTED,
            refund=Money(amount_minor=9000, currency="EUR"),
            cancelled_at=NOW,
        )

    def booker_wrote(self, booking_id: uuid.UUID, excerpt: str) -> MessagePosted:
        return MessagePosted(
            booking_id=booking_id,
            chat_message_id=uuid.uuid4(),
            author_id=self.booker.id,
            excerpt=excerpt,
            posted_at=NOW,
        )

    async def confirm(self, event: BookingConfirmed | None = None) -> BookingConfirmed:
        event = event or self.confirmed()
        async with self.units.begin() as unit:
            await booking_emails.booking_confirmed(unit, event, Envelope.wrap(event), self.writing)
        return event

    async def cancel(self, booking_id: uuid.UUID) -> None:
        event = self.cancelled(booking_id)
        async with self.units.begin() as unit:
            await booking_emails.booking_cancelled(unit, event, Envelope.wrap(event), self.writing)


async def test_a_confirmation_writes_to_booker_and_owner_with_an_invitation_for_the_booker() -> (
    None
):
    world = World()

    await world.confirm()

    [to_booker] = world.units.tables.emails_to(world.booker.id)
    [to_owner] = world.units.tables.emails_to(world.owner.id)
    assert (to_booker.kind, to_booker.to_address) == (Kind.BOOKING_CONFIRMED, "bea@example.com")
    assert to_owner.kind is Kind.NEW_BOOKING
    assert to_booker.calendar is not None
    assert "METHOD:REQUEST" in to_booker.calendar
    assert "Kreuzberg Sound Lab" in to_booker.text_body
    assert world.woken  # the sender is woken once the transaction has committed


async def test_a_confirmation_schedules_the_reminders_still_ahead() -> None:
    world = World()

    event = await world.confirm()

    due = sorted(r.due_at for r, status in world.units.tables.reminders.values())
    assert due == [STARTS - timedelta(hours=24), STARTS - timedelta(hours=2)]
    assert {r.booking_id for r, _ in world.units.tables.reminders.values()} == {event.booking_id}


async def test_the_same_event_twice_records_each_email_once() -> None:
    world = World()
    event = world.confirmed()
    envelope = Envelope.wrap(event)

    for _ in range(2):  # a redelivery carries the same envelope
        async with world.units.begin() as unit:
            await booking_emails.booking_confirmed(unit, event, envelope, world.writing)

    assert len(world.units.tables.emails) == 2  # one to the booker, one to the owner


async def test_a_person_not_known_yet_makes_the_event_wait_and_records_nothing() -> None:
    world = World()
    del world.units.tables.people[world.booker.id]

    with pytest.raises(NotYetKnown):
        await world.confirm()

    assert world.units.tables.emails == {}
    assert world.units.tables.bookings == {}
    assert world.woken == []


async def test_a_cancellation_withdraws_the_reminders_and_cancels_the_invitation() -> None:
    world = World()
    event = await world.confirm()

    await world.cancel(event.booking_id)

    statuses = {status for _, status in world.units.tables.reminders.values()}
    assert statuses == {"cancelled"}
    cancellation = [
        e for e in world.units.tables.emails_to(world.booker.id)
        if e.kind is Kind.BOOKING_CANCELLED
    ]  # fmt: skip
    assert cancellation[0].calendar is not None
    assert "METHOD:CANCEL" in cancellation[0].calendar
    assert any(
        e.kind is Kind.OWNER_BOOKING_CANCELLED for e in world.units.tables.emails_to(world.owner.id)
    )


async def test_a_move_tells_both_sides_moves_the_invitation_and_the_reminders() -> None:
    world = World()
    event = await world.confirm()
    later = TimeRange(
        starts_at=STARTS + timedelta(days=1), ends_at=STARTS + timedelta(days=1, hours=2)
    )
    moved = BookingRescheduled(
        **(world.about(event.booking_id) | {"time_range": later}),
        previous_room_id=world.room_id,
        previous_time_range=event.time_range,
        requested_by=world.booker.id,
        rescheduled_at=NOW,
    )

    async with world.units.begin() as unit:
        await booking_emails.booking_rescheduled(unit, moved, Envelope.wrap(moved), world.writing)

    [to_booker] = [
        e for e in world.units.tables.emails_to(world.booker.id)
        if e.kind is Kind.BOOKING_RESCHEDULED
    ]  # fmt: skip
    [to_owner] = [
        e for e in world.units.tables.emails_to(world.owner.id)
        if e.kind is Kind.OWNER_BOOKING_RESCHEDULED
    ]  # fmt: skip
    assert to_booker.calendar is not None
    assert "METHOD:REQUEST" in to_booker.calendar
    assert "SEQUENCE:0" not in to_booker.calendar  # a later version of the same event
    for email in (to_booker, to_owner):
        assert "When:   Sunday 5 May 2030, 14:00 to 16:00" in email.text_body
        assert "Was:    Saturday 4 May 2030, 14:00 to 16:00" in email.text_body
    live = sorted(
        r.due_at for r, status in world.units.tables.reminders.values() if status != "cancelled"
    )
    assert live == [later.starts_at - timedelta(hours=24), later.starts_at - timedelta(hours=2)]


async def test_reminders_go_when_due_once_each_and_not_for_a_cancelled_booking() -> None:
    world = World()
    kept = await world.confirm()
    dropped = await world.confirm()
    await world.cancel(dropped.booking_id)
    world.units.store.clock = lambda: STARTS - timedelta(hours=1)  # both reminders are due

    sent = await reminders.send_due_reminders(world.units, world.writing, limit=10)
    again = await reminders.send_due_reminders(world.units, world.writing, limit=10)

    reminder_emails = [
        s.email for s in world.units.tables.emails.values() if s.email.kind is Kind.REMINDER
    ]
    assert (sent, again) == (2, 0)
    assert {e.booking_id for e in reminder_emails} == {kept.booking_id}


async def test_a_person_who_turned_reminders_off_gets_none_but_the_record_says_why() -> None:
    world = World()
    no_reminders = Preferences(reminders=False)
    await preferences.choose_preferences(world.units, world.booker.id, no_reminders)
    await world.confirm()
    world.units.store.clock = lambda: STARTS - timedelta(hours=1)

    await reminders.send_due_reminders(world.units, world.writing, limit=10)

    skipped = world.units.tables.emails_to(world.booker.id, status="skipped")
    assert [e.kind for e in skipped] == [Kind.REMINDER, Kind.REMINDER]


async def test_preferences_default_to_every_email_and_keep_what_was_chosen() -> None:
    world = World()

    before = await preferences.preferences(world.units, world.booker.id)
    await preferences.choose_preferences(world.units, world.booker.id, Preferences(messages=False))
    after = await preferences.preferences(world.units, world.booker.id)

    assert before == Preferences()
    assert after == Preferences(messages=False)


async def test_a_message_is_told_to_the_other_side_only() -> None:
    world = World()
    event = await world.confirm()
    posted = world.booker_wrote(event.booking_id, "Can we start at ten?")

    async with world.units.begin() as unit:
        await booking_emails.message_posted(unit, posted, Envelope.wrap(posted), world.writing)

    to_owner = [
        e for e in world.units.tables.emails_to(world.owner.id) if e.kind is Kind.NEW_MESSAGE
    ]
    to_booker = [
        e for e in world.units.tables.emails_to(world.booker.id) if e.kind is Kind.NEW_MESSAGE
    ]
    assert len(to_owner) == 1
    assert "Can we start at ten?" in to_owner[0].text_body
    assert to_booker == []


def _captured(booking_id: uuid.UUID) -> PaymentCaptured:
    return PaymentCaptured(
        booking_id=booking_id,
        payment_id=uuid.uuid4(),
        amount=Money(amount_minor=9000, currency="EUR"),
        platform_fee=Money(amount_minor=900, currency="EUR"),
        captured_at=NOW,
    )


async def test_a_receipt_goes_to_the_booker_of_a_known_booking() -> None:
    world = World()
    event = await world.confirm()
    captured = _captured(event.booking_id)

    async with world.units.begin() as unit:
        await money_emails.payment_captured(unit, captured, Envelope.wrap(captured), world.writing)

    receipts = [e for e in world.units.tables.emails_to(world.booker.id) if e.kind is Kind.RECEIPT]
    assert len(receipts) == 1


async def test_a_capture_before_the_confirmation_waits_for_it_and_is_told_once() -> None:
    world = World()
    event = world.confirmed()
    captured = _captured(event.booking_id)
    envelope = Envelope.wrap(captured)

    async with world.units.begin() as unit:  # paid at once: the capture comes first
        await money_emails.payment_captured(unit, captured, envelope, world.writing)

    assert world.units.tables.emails == {}
    assert world.units.tables.waiting == {event.booking_id: [envelope]}
    await world.confirm(event)
    await world.confirm(event)  # a redelivery tells nothing twice

    kinds = sorted(e.kind for e in world.units.tables.emails_to(world.booker.id))
    assert kinds == [Kind.BOOKING_CONFIRMED, Kind.RECEIPT]
    assert world.units.tables.waiting == {}


async def test_a_message_written_before_the_booking_is_paid_is_told_once_it_is_known() -> None:
    world = World()
    event = world.confirmed()
    posted = world.booker_wrote(event.booking_id, "Is there parking?")

    async with world.units.begin() as unit:  # the booking waits for its payment
        await booking_emails.message_posted(unit, posted, Envelope.wrap(posted), world.writing)

    assert world.units.tables.emails == {}
    await world.confirm(event)

    [told] = [e for e in world.units.tables.emails_to(world.owner.id) if e.kind is Kind.NEW_MESSAGE]
    assert "Is there parking?" in told.text_body
    assert world.units.tables.waiting == {}


def _failed(world: World, booking_id: uuid.UUID, reason: FailureReason) -> BookingFailed:
    return BookingFailed(**world.about(booking_id), reason=reason, failed_at=NOW)


async def _fail(world: World, event: BookingFailed, envelope: Envelope | None = None) -> None:
    async with world.units.begin() as unit:
        await booking_emails.booking_failed(
            unit, event, envelope or Envelope.wrap(event), world.writing
        )


async def test_a_booking_paid_at_once_that_loses_its_slots_tells_the_booker_once() -> None:
    """Paid at once, its capture came before the booking was known; then its hold was lost on
    the way to confirmed. The booker gets the receipt that waited and the failure (the money
    is given back); the studio, whose booking it never was, hears nothing of the message."""
    world = World()
    booking_id = uuid.uuid4()
    captured = _captured(booking_id)
    posted = world.booker_wrote(booking_id, "Is there parking?")
    async with world.units.begin() as unit:
        await money_emails.payment_captured(unit, captured, Envelope.wrap(captured), world.writing)
        await booking_emails.message_posted(unit, posted, Envelope.wrap(posted), world.writing)
    failed = _failed(world, booking_id, FailureReason.SLOTS_LOST)
    envelope = Envelope.wrap(failed)

    await _fail(world, failed, envelope)
    await _fail(world, failed, envelope)  # a redelivery tells nothing twice

    to_booker = world.units.tables.emails_to(world.booker.id)
    assert sorted(e.kind for e in to_booker) == [Kind.BOOKING_FAILED, Kind.RECEIPT]
    [told] = [e for e in to_booker if e.kind is Kind.BOOKING_FAILED]
    assert told.subject.startswith("We could not keep your booking at Kreuzberg Sound Lab")
    assert "the amount refunded in full" in told.text_body
    assert f"https://studios.example.com/bookings/{booking_id}" in told.html_body
    assert world.units.tables.emails_to(world.owner.id) == []
    assert world.units.tables.waiting == {}


@pytest.mark.parametrize("reason", [FailureReason.SLOTS_UNAVAILABLE, FailureReason.PAYMENT_FAILED])
async def test_a_booking_that_fails_before_it_is_paid_is_told_on_its_page_only(
    reason: FailureReason,
) -> None:
    world = World()

    await _fail(world, _failed(world, uuid.uuid4(), reason))

    assert world.units.tables.emails == {}


async def test_erasure_forgets_the_person_and_blanks_their_emails() -> None:
    world = World()
    await world.confirm()

    async with world.units.begin() as unit:
        await read_model.forget_person(unit, world.booker.id)

    assert world.booker.id not in world.units.tables.people
    assert world.units.tables.emails_to(world.booker.id) == []
    withdrawn = world.units.tables.emails_to(world.booker.id, status="withdrawn")
    assert withdrawn
    assert all(e.to_address == "" and e.text_body == "" for e in withdrawn)


async def test_a_declined_card_is_told_from_the_event_alone_unless_the_booking_went_further() -> (
    None
):
    """Notifications has not heard of a booking still waiting for its payment: the event names
    it. A confirmed one's booker is not told of a failure that came late."""
    world = World()
    confirmed = await world.confirm()
    waiting, late = (
        BookingPaymentFailed(
            **world.about(booking_id),
            reason=PaymentFailureReason.CARD_DECLINED,
            retryable=True,
            failed_at=NOW,
        )
        for booking_id in (uuid.uuid4(), confirmed.booking_id)
    )

    async with world.units.begin() as unit:
        for event in (waiting, late):
            await money_emails.payment_failed(unit, event, Envelope.wrap(event), world.writing)

    told = [
        e for e in world.units.tables.emails_to(world.booker.id) if e.kind is Kind.PAYMENT_FAILED
    ]
    assert [e.booking_id for e in told] == [waiting.booking_id]
    assert "your card was declined" in told[0].text_body
    assert f"/bookings/{waiting.booking_id}/checkout" in told[0].text_body


async def test_a_proposed_time_asks_the_booker_by_when_and_where_to_answer() -> None:
    world = World()
    event = await world.confirm()
    later = TimeRange(
        starts_at=STARTS + timedelta(days=1), ends_at=STARTS + timedelta(days=1, hours=2)
    )
    proposed = BookingMoveProposed(
        **world.about(event.booking_id),
        proposed_room_id=world.room_id,
        proposed_time_range=later,
        answer_by=STARTS - timedelta(days=1),
        proposed_by=world.owner.id,
    )

    async with world.units.begin() as unit:
        await booking_emails.move_proposed(unit, proposed, Envelope.wrap(proposed), world.writing)

    [asked] = [
        e for e in world.units.tables.emails_to(world.booker.id) if e.kind is Kind.MOVE_PROPOSED
    ]
    assert asked.subject == "Kreuzberg Sound Lab proposes another time for your booking"
    assert "to Sunday 5 May 2030, 14:00 to 16:00" in asked.text_body
    assert "by Friday 3 May 2030, 14:00 CEST" in asked.text_body
    assert f"https://studios.example.com/bookings/{event.booking_id}" in asked.text_body
    assert world.units.tables.emails_to(world.owner.id)[-1].kind is not Kind.MOVE_PROPOSED


async def test_the_owner_hears_that_the_booker_kept_the_time() -> None:
    world = World()
    event = await world.confirm()
    later = TimeRange(
        starts_at=STARTS + timedelta(days=1), ends_at=STARTS + timedelta(days=1, hours=2)
    )
    declined = BookingMoveDeclined(
        **world.about(event.booking_id),
        proposed_room_id=world.room_id,
        proposed_time_range=later,
        answered=True,
        declined_at=NOW,
    )

    async with world.units.begin() as unit:
        await booking_emails.move_declined(unit, declined, Envelope.wrap(declined), world.writing)

    [told] = [
        e for e in world.units.tables.emails_to(world.owner.id) if e.kind is Kind.MOVE_DECLINED
    ]
    assert told.subject.startswith("Proposed time not taken: Kreuzberg Sound Lab")
    assert "Bea kept the booking's time: the move to Sunday 5 May 2030, 14:00" in told.text_body
    assert "When:   Saturday 4 May 2030, 14:00 to 16:00" in told.text_body
