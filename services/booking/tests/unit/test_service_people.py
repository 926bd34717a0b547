"""What people see and do through the service layer, on fakes: who sees a booking, whose
bookings a list holds, who may cancel, complete or report a no-show, the conversation."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Booking, BookingNotFound, NotAllowed, Status, View
from booking.repositories import BookingQuery
from booking.service import actions, chat, reads
from booking.service.chat import TooManyMessages
from contracts.booking import BookingCancelled, BookingCompleted, CancelledBy, MessagePosted
from contracts.identity import Role

from .conftest import NOW, RULES, confirmed
from .service_world import World, person


def confirmed_in(world: World, *, starts_in: timedelta = timedelta(days=10)) -> Booking:
    starts_at = NOW + starts_in
    booking = replace(
        confirmed(),
        booker_id=world.booker.user_id,
        owner_id=world.owner.user_id,
        studio_id=world.the_studio.studio_id,
        room_id=world.the_studio.rooms[0].room_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )
    world.units.tables.bookings[booking.id] = booking
    return booking


async def test_the_booker_the_owner_and_admins_see_a_booking_and_its_history() -> None:
    world = World()
    booking = await world.book()

    for who in (world.booker, world.owner, world.admin):
        seen, history, studio = await reads.get_booking(world.units, who, booking.id)
        assert seen.id == booking.id
        assert history[0].name == "request"
        assert studio == world.the_studio


async def test_anyone_else_is_refused_a_booking() -> None:
    world = World()
    booking = await world.book()

    with pytest.raises(NotAllowed):
        await reads.get_booking(world.units, world.stranger, booking.id)
    with pytest.raises(NotAllowed):
        await reads.get_booking(world.units, person(Role.OWNER), booking.id)


async def test_the_studios_new_owner_sees_its_bookings() -> None:
    world = World()
    booking = await world.book()
    new_owner = person(Role.OWNER)
    world.units.tables.studios[booking.studio_id] = replace(
        world.the_studio, owner_id=new_owner.user_id
    )

    seen, _, _ = await reads.get_booking(world.units, new_owner, booking.id)

    assert seen.id == booking.id


async def test_a_booker_lists_only_their_bookings_an_owner_also_their_studios() -> None:
    world = World()
    mine = await world.book()
    theirs = await world.book(world.request(starts_in=timedelta(days=5)), by=world.stranger)

    booker_page, booker_total, _ = await reads.list_bookings(
        world.units, world.booker, BookingQuery(), None
    )
    owner_page, owner_total, studios = await reads.list_bookings(
        world.units, world.owner, BookingQuery(), None
    )

    assert ([b.id for b in booker_page], booker_total) == ([mine.id], 1)
    assert ([b.id for b in owner_page], owner_total) == ([mine.id, theirs.id], 2)
    assert set(studios) == {world.the_studio.studio_id}


async def test_an_admin_lists_every_booking_unless_narrowed_to_their_own() -> None:
    world = World()
    await world.book()
    await world.book(world.request(starts_in=timedelta(days=5)), by=world.stranger)

    _, everyone, _ = await reads.list_bookings(world.units, world.admin, BookingQuery(), None)
    _, own, _ = await reads.list_bookings(
        world.units, world.admin, BookingQuery(), reads.Party.BOOKER
    )

    assert (everyone, own) == (2, 0)


async def test_the_upcoming_view_is_judged_at_the_units_clock() -> None:
    world = World()
    ahead = confirmed_in(world)
    over = confirmed_in(world, starts_in=-timedelta(days=1))

    upcoming, _, _ = await reads.list_bookings(
        world.units, world.booker, BookingQuery(view=View.UPCOMING), None
    )
    past, _, _ = await reads.list_bookings(
        world.units, world.booker, BookingQuery(view=View.PAST), None
    )

    assert [b.id for b in upcoming] == [ahead.id]
    assert [b.id for b in past] == [over.id]


async def test_the_booker_cancels_and_the_cancellation_says_by_whom() -> None:
    world = World()
    booking = confirmed_in(world)

    cancelled = await actions.act(world.units, world.booker, booking.id, "cancel", RULES)

    assert cancelled.status is Status.CANCELLED
    [event] = world.units.outbox.messages(BookingCancelled)
    assert event.cancelled_by is CancelledBy.BOOKER
    step = [e for e in world.units.tables.history if e.kind == "action"][-1]
    assert (step.name, step.actor_id) == ("cancel", str(world.booker.user_id))


async def test_the_owner_and_an_admin_cancel_as_themselves() -> None:
    world = World()
    by_owner, by_admin = confirmed_in(world), confirmed_in(world)

    await actions.act(world.units, world.owner, by_owner.id, "cancel", RULES)
    await actions.act(world.units, world.admin, by_admin.id, "cancel", RULES)

    events = {e.booking_id: e.cancelled_by for e in world.units.outbox.messages(BookingCancelled)}
    assert events == {by_owner.id: CancelledBy.OWNER, by_admin.id: CancelledBy.ADMIN}


async def test_a_stranger_cannot_cancel_and_nothing_changes() -> None:
    world = World()
    booking = confirmed_in(world)

    with pytest.raises(NotAllowed):
        await actions.act(world.units, world.stranger, booking.id, "cancel", RULES)

    assert world.units.tables.bookings[booking.id] == booking
    assert world.units.outbox.published == []


async def test_only_the_owner_or_an_admin_completes_a_session_that_took_place() -> None:
    world = World()
    booking = confirmed_in(world, starts_in=-timedelta(hours=5))

    with pytest.raises(NotAllowed):
        await actions.act(world.units, world.booker, booking.id, "complete", RULES)
    completed = await actions.act(world.units, world.owner, booking.id, "complete", RULES)

    assert completed.status is Status.COMPLETED
    assert [e.booking_id for e in world.units.outbox.messages(BookingCompleted)] == [booking.id]


async def test_the_booker_cannot_report_their_own_no_show() -> None:
    world = World()
    booking = confirmed_in(world, starts_in=-timedelta(hours=1))

    with pytest.raises(NotAllowed):
        await actions.act(world.units, world.booker, booking.id, "no_show", RULES)

    assert world.units.tables.bookings[booking.id] == booking


async def test_a_cancellation_preview_changes_nothing() -> None:
    world = World()
    booking = confirmed_in(world)

    preview, seen = await reads.cancellation_preview(world.units, world.booker, booking.id, RULES)

    assert seen == booking
    assert 0 <= preview.refund_minor <= booking.price.total_minor
    assert world.units.tables.bookings[booking.id] == booking
    assert world.units.outbox.published == []


async def test_a_message_is_kept_announced_and_recorded_in_the_history() -> None:
    world = World()
    booking = confirmed_in(world)

    sent = await chat.send_message(world.units, world.booker, booking.id, "Bring a DI box?", most=3)

    assert (sent.author_id, sent.author_role, sent.sent_at) == (world.booker.user_id, "booker", NOW)
    [posted] = world.units.outbox.messages(MessagePosted)
    assert (posted.chat_message_id, posted.excerpt) == (sent.id, "Bring a DI box?")
    assert world.units.tables.history[-1].note == f"message {sent.id}"
    listed = await chat.messages(world.units, world.owner, booking.id, limit=10, offset=0)
    assert listed == [sent]


async def test_a_conversation_holds_a_bounded_number_of_messages() -> None:
    world = World()
    booking = confirmed_in(world)
    for n in range(2):
        await chat.send_message(world.units, world.owner, booking.id, f"note {n}", most=2)

    with pytest.raises(TooManyMessages):
        await chat.send_message(world.units, world.booker, booking.id, "one more", most=2)

    assert len(world.units.tables.chat) == 2
    assert len(world.units.outbox.messages(MessagePosted)) == 2


async def test_strangers_neither_read_nor_write_a_conversation() -> None:
    world = World()
    booking = confirmed_in(world)

    with pytest.raises(NotAllowed):
        await chat.send_message(world.units, world.stranger, booking.id, "hi", most=5)
    with pytest.raises(NotAllowed):
        await chat.messages(world.units, world.stranger, booking.id, limit=10, offset=0)
    assert world.units.tables.chat == []


async def test_the_admin_timeline_has_every_step_in_order() -> None:
    world = World()
    booking = await world.book()
    await actions.act(world.units, world.booker, booking.id, "cancel", RULES)

    seen, steps = await reads.timeline(world.units, booking.id)

    assert seen.status is Status.CANCELLED
    actions_taken = [e.name for e in steps if e.kind == "action"]
    assert actions_taken == ["request", "cancel"]
    assert steps[-1].kind == "sent"


async def test_an_unknown_booking_is_not_found_for_everyone() -> None:
    world = World()

    with pytest.raises(BookingNotFound):
        await reads.get_booking(world.units, world.admin, uuid.uuid4())
