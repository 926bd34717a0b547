"""Emails a booking's events call for: a paid request for the owner to answer, the
confirmation with its calendar invitation, a time the studio proposes, a move to another time
(the invitation moved), the cancellation (and its cancelling invitation), a
request not accepted, a booking that failed once paid, a new message in the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from contracts import Envelope
from contracts.booking import (
    BookingAwaitingOwner,
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingMoveDeclined,
    BookingMoveProposed,
    BookingRescheduled,
    CancelledBy,
    MessagePosted,
)
from contracts.payments import PaymentCaptured
from notifications.domain import notices, wording
from notifications.domain.notices import BookingStatus, Kind, Notice
from notifications.domain.read_models import Booking
from notifications.emails import BookingFacts
from notifications.invitations import Method, invitation
from notifications.repositories import NotificationsUnit
from notifications.service import money_emails
from notifications.service.read_model import booking_of
from notifications.service.writing import (
    Writing,
    booking_facts,
    known_booking,
    known_or_waiting,
    record,
    tell,
)


async def awaiting_owner(
    unit: NotificationsUnit, event: BookingAwaitingOwner, envelope: Envelope, writing: Writing
) -> None:
    """Ask the owner to answer by the deadline (with the page to do it), tell the booker."""
    known = await unit.read_model.lock_booking(event.booking_id)
    if known is not None and known.status is not BookingStatus.REQUESTED:
        return  # told before, or it moved on already
    booking = booking_of(event, BookingStatus.AWAITING_OWNER)
    await _keep(unit, writing, booking)
    facts = await booking_facts(unit, booking)
    answer_by = wording.local_moment(event.respond_by, ZoneInfo(facts.studio.timezone))
    for notice in notices.on_awaiting_owner(booking.booker_id, booking.owner_id):
        email = writing.composer.compose(
            notice.kind,
            facts,
            notice.recipient_id,
            event_id=envelope.message_id,
            price=wording.money(event.price.amount_minor, event.price.currency),
            answer_by=answer_by,
            answer_link=f"{writing.web_url}/owner/bookings/{booking.id}",
        )
        await record(unit, writing, email)


async def booking_confirmed(
    unit: NotificationsUnit, event: BookingConfirmed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker (with an invitation) and the owner; schedule the booker's reminders."""
    known = await unit.read_model.lock_booking(event.booking_id)
    if known is not None and known.status not in (
        BookingStatus.REQUESTED,
        BookingStatus.AWAITING_OWNER,
    ):
        return  # confirmed before, or its cancellation came first
    booking = booking_of(event, BookingStatus.CONFIRMED)
    await _keep(unit, writing, booking)
    facts = await booking_facts(unit, booking)
    await _send(
        unit,
        writing,
        facts,
        notices.on_confirmed(booking.booker_id, booking.owner_id),
        envelope,
        _Invite(Kind.BOOKING_CONFIRMED, Method.REQUEST),
        price=wording.money(event.price.amount_minor, event.price.currency),
    )
    await _schedule_reminders(unit, writing, booking)


async def booking_rescheduled(
    unit: NotificationsUnit, event: BookingRescheduled, envelope: Envelope, writing: Writing
) -> None:
    """Tell both sides the new time (the booker with the invitation moved); move the reminders."""
    known = await unit.read_model.lock_booking(event.booking_id)
    if known is None or known.status is not BookingStatus.CONFIRMED:
        return  # its confirmation is yet to come (and says the new time), or it has ended
    booking = booking_of(event, BookingStatus.CONFIRMED)
    await _keep(unit, writing, booking)
    facts = await booking_facts(unit, booking)
    before = event.previous_time_range
    await _send(
        unit,
        writing,
        facts,
        notices.on_rescheduled(booking.booker_id, booking.owner_id),
        envelope,
        _Invite(Kind.BOOKING_RESCHEDULED, Method.REQUEST, changed=True),
        previously=wording.local_span(before.starts_at, before.ends_at, facts.studio.zone),
    )
    await unit.reminders.withdraw(booking.id)
    await _schedule_reminders(unit, writing, booking)


async def move_proposed(
    unit: NotificationsUnit, event: BookingMoveProposed, envelope: Envelope, writing: Writing
) -> None:
    """Ask the booker to accept or decline the time the studio proposed, by when, and where."""
    booking = await known_booking(unit, event.booking_id)
    facts = await booking_facts(unit, booking)
    zone = facts.studio.zone
    proposed = event.proposed_time_range
    email = writing.composer.compose(
        Kind.MOVE_PROPOSED,
        facts,
        booking.booker_id,
        event_id=envelope.message_id,
        proposed=wording.local_span(proposed.starts_at, proposed.ends_at, zone),
        proposed_room=facts.studio.rooms.get(event.proposed_room_id),
        answer_by=wording.local_moment(event.answer_by, zone),
        answer_link=f"{writing.web_url}/bookings/{booking.id}",
    )
    await record(unit, writing, email)


async def move_declined(
    unit: NotificationsUnit, event: BookingMoveDeclined, envelope: Envelope, writing: Writing
) -> None:
    """Tell the owner their proposed time will not be taken: the booking stays as it is."""
    booking = await known_booking(unit, event.booking_id)
    facts = await booking_facts(unit, booking)
    proposed = event.proposed_time_range
    email = writing.composer.compose(
        Kind.MOVE_DECLINED,
        facts,
        booking.owner_id,
        event_id=envelope.message_id,
        proposed=wording.local_span(proposed.starts_at, proposed.ends_at, facts.studio.zone),
        answered=event.answered,
    )
    await record(unit, writing, email)


async def booking_cancelled(
    unit: NotificationsUnit, event: BookingCancelled, envelope: Envelope, writing: Writing
) -> None:
    """Withdraw the reminders; tell both sides, the booker with the refund and a CANCEL."""
    known = await unit.read_model.lock_booking(event.booking_id)
    booking = booking_of(event, BookingStatus.CANCELLED)
    await _keep(unit, writing, booking)
    await unit.reminders.withdraw(booking.id)
    to_send = notices.on_cancelled(
        known.status if known else None, booking.booker_id, booking.owner_id
    )
    if not to_send:
        return
    facts = await booking_facts(unit, booking)
    await _send(
        unit,
        writing,
        facts,
        to_send,
        envelope,
        _Invite(Kind.BOOKING_CANCELLED, Method.CANCEL, changed=True),
        refund=wording.money(event.refund.amount_minor, event.refund.currency),
        cancelled_by=event.cancelled_by.value,
        declined=event.cancelled_by in (CancelledBy.OWNER, CancelledBy.ADMIN),
        withdrawn=event.cancelled_by is CancelledBy.BOOKER,
    )


async def booking_failed(
    unit: NotificationsUnit, event: BookingFailed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker of a booking that failed once paid: the payment is given back. A booking
    paid at once may have been captured before: that receipt waited for the booking, and goes
    now (the money was taken, then given back)."""
    known = await unit.read_model.lock_booking(event.booking_id)
    to_send = notices.on_failed(event.reason, known.status if known else None, event.booker_id)
    if not to_send:
        return
    booking = booking_of(event, BookingStatus.FAILED)
    await _keep(unit, writing, booking)
    for notice in to_send:
        await tell(
            unit, writing, notice.kind, booking, notice.recipient_id, envelope,
            booking_link=f"{writing.web_url}/bookings/{booking.id}",
        )  # fmt: skip


async def _keep(unit: NotificationsUnit, writing: Writing, booking: Booking) -> None:
    """Save the booking as the event leaves it, and tell what waited for it to be known
    (`known_or_waiting`): a capture, or a message posted before the booking was paid (not to a
    studio whose booking failed before it was theirs)."""
    for envelope in await unit.read_model.save_booking(booking):
        if envelope.message_type == MessagePosted.message_type:
            if booking.status is not BookingStatus.FAILED:
                await _message_told(unit, writing, booking, envelope.open(MessagePosted), envelope)
        else:
            await money_emails.receipt(
                unit, writing, booking, envelope.open(PaymentCaptured), envelope
            )


@dataclass(frozen=True)
class _Invite:
    """The email of `kind` carries the booking's calendar invitation with this method."""

    kind: Kind
    method: Method
    changed: bool = False


async def _send(
    unit: NotificationsUnit,
    writing: Writing,
    facts: BookingFacts,
    to_send: list[Notice],
    envelope: Envelope,
    invite: _Invite,
    **context: Any,
) -> None:
    """Each notice's email about the booking, the invitation attached to its kind's."""
    for notice in to_send:
        calendar = None
        if notice.kind is invite.kind:
            calendar = invitation(
                facts, invite.method, organizer=writing.sender, now=unit.now, changed=invite.changed
            )
        email = writing.composer.compose(
            notice.kind,
            facts,
            notice.recipient_id,
            event_id=envelope.message_id,
            calendar=calendar,
            **context,
        )
        await record(unit, writing, email)


async def _schedule_reminders(unit: NotificationsUnit, writing: Writing, booking: Booking) -> None:
    due = notices.reminder_times(booking.starts_at, writing.reminder_offsets, unit.now)
    await unit.reminders.schedule(booking.id, due)


async def message_posted(
    unit: NotificationsUnit, event: MessagePosted, envelope: Envelope, writing: Writing
) -> None:
    """A booking's conversation is open from its request: a message posted before the booking
    was paid waits for it to be known here (`known_or_waiting`)."""
    booking = await known_or_waiting(unit, event.booking_id, envelope)
    if booking is not None:
        await _message_told(unit, writing, booking, event, envelope)


async def _message_told(
    unit: NotificationsUnit,
    writing: Writing,
    booking: Booking,
    event: MessagePosted,
    envelope: Envelope,
) -> None:
    author = await unit.read_model.person(event.author_id)
    pages = {booking.booker_id: "/bookings", booking.owner_id: "/owner/bookings"}
    for reader in notices.message_readers(event.author_id, booking.booker_id, booking.owner_id):
        await tell(
            unit, writing, Kind.NEW_MESSAGE, booking, reader, envelope,
            author=author.name if author else "Someone at OneTime Studios",
            excerpt=event.excerpt,
            conversation=f"{writing.web_url}{pages[reader]}/{booking.id}",
            preferences=writing.preferences_link,
        )  # fmt: skip
