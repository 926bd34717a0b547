"""A request waiting for a booking wakes when a change commits in any process, long before its
poll, and only for its own booking; a change saved by this process is handed over, not read."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from booking.changes import BookingChange, BookingWatcher
from booking.db.tables import NOTIFY_CHANNEL
from booking.domain.booking import Booking, Status
from service_runtime.db import Database
from service_runtime.listen import Listener
from tests.fixtures.infra import eventually
from tests.fixtures.listening import cut_listeners, listening_pids

from ..unit.conftest import pending_payment, requested

POLL_SECONDS = 30  # longer than the test may take: only a notify can wake the waiter


@contextlib.asynccontextmanager
async def watching(
    make_database: Callable[[str, Path | None], str], poll_seconds: float = POLL_SECONDS
) -> AsyncIterator[tuple[Database, BookingWatcher]]:
    """A watcher whose listener is listening, and a database to change bookings from (another
    process's transaction, as far as the watcher knows)."""
    url = make_database("booking_changes", None)
    database = Database(url)
    listener = Listener("test-listen", url, retry_seconds=0.1)
    watcher = BookingWatcher(poll_seconds=poll_seconds)
    watcher.follow(listener)
    listener.start()

    async def caught_up() -> bool:
        # The server may show LISTEN before the listener has run its catch-up (every waiter
        # loads), which would wake a waiter the test starts meanwhile.
        return listener.listening and await listening(database)

    try:
        await eventually(caught_up)
        yield database, watcher
    finally:
        await listener.stop()
        await database.dispose()


async def listening(database: Database) -> bool:
    return len(await listening_pids(database, NOTIFY_CHANNEL)) == 1


def version(booking: Booking, number: int, *, answered: bool = False) -> Booking:
    """The booking at another version: answered (a client secret to pay with) or not."""
    state = pending_payment() if answered else requested()
    return replace(state, id=booking.id, version=number)


def answered(booking: Booking) -> bool:
    return booking.answered


async def test_a_committed_change_wakes_the_waiters_of_that_booking_only(
    make_database: Callable[[str, Path | None], str],
) -> None:
    changed: set[uuid.UUID] = set()
    loads: list[uuid.UUID] = []

    def waiting_for(booking_id: uuid.UUID) -> asyncio.Task[Booking]:
        async def load() -> Booking:
            loads.append(booking_id)
            at = replace(requested(), id=booking_id)
            return version(at, 2, answered=True) if booking_id in changed else at

        return asyncio.create_task(
            watcher.wait_until(booking_id, load, answered, wait_seconds=POLL_SECONDS)
        )

    async with watching(make_database) as (database, watcher):
        mine, other = uuid.uuid4(), uuid.uuid4()
        waiters = [waiting_for(mine), waiting_for(other)]

        async def both_loaded() -> bool:
            return len(loads) == 2

        await eventually(both_loaded)
        changed.add(mine)
        await notify(database, BookingChange(mine, version=2, answered=False))

        assert (await asyncio.wait_for(waiters[0], 5)).version == 2
        assert not waiters[1].done()
        assert loads.count(other) == 1
        waiters[1].cancel()
        await asyncio.wait([waiters[1]])


async def test_a_wait_from_the_booking_just_written_loads_only_after_a_change(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """The POST waits from the booking it has just requested: no read until the answer."""
    just_requested = requested()
    loads: list[Booking] = []

    async def load() -> Booking:
        loads.append(version(just_requested, 2, answered=True))
        return loads[-1]

    async with watching(make_database) as (database, watcher):
        waiter = asyncio.create_task(
            watcher.wait_until(
                just_requested.id,
                load,
                answered,
                wait_seconds=POLL_SECONDS,
                wakes=lambda change: change.answered,
                loaded=just_requested,
            )
        )
        await asyncio.sleep(0.2)
        assert (loads, waiter.done()) == ([], False)
        await notify(database, BookingChange(just_requested.id, version=2, answered=True))

        assert await asyncio.wait_for(waiter, 5) == loads[0]
        assert len(loads) == 1


async def test_a_waiter_reloads_only_for_the_changes_it_waits_for(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """The waiting POST wants an answer (a client secret or a no): the hold alone, which
    changes the booking too, does not make it load again."""
    booking = requested()
    booking_id = booking.id
    loads: list[int] = []
    has_answer = False

    async def load() -> Booking:
        loads.append(1)
        return version(booking, 3, answered=True) if has_answer else booking

    async with watching(make_database) as (database, watcher):
        waiter = asyncio.create_task(
            watcher.wait_until(
                booking_id,
                load,
                answered,
                wait_seconds=POLL_SECONDS,
                wakes=lambda change: change.answered,
            )
        )

        async def loaded() -> bool:
            return len(loads) == 1

        await eventually(loaded)
        await notify(database, BookingChange(booking_id, version=2, answered=False))
        await asyncio.sleep(0.3)  # time enough for a wrongly woken waiter to load again
        assert len(loads) == 1
        has_answer = True
        await notify(database, BookingChange(booking_id, version=3, answered=True))

        assert (await asyncio.wait_for(waiter, 5)).answered
        assert len(loads) == 2


async def notify(database: Database, change: BookingChange) -> None:
    """As a booking's change does, from another process's transaction."""
    async with database.transaction() as session:
        await session.execute(
            text("SELECT pg_notify(:channel, :change)"),
            {"channel": NOTIFY_CHANNEL, "change": change.payload()},
        )


async def test_a_waiter_reloads_only_on_a_change_or_when_the_listener_comes_back(
    make_database: Callable[[str, Path | None], str],
) -> None:
    loads: list[float] = []
    booking = requested()

    async def load() -> Booking:
        loads.append(asyncio.get_running_loop().time())
        return booking

    async with watching(make_database, poll_seconds=0.1) as (database, watcher):
        waiter = asyncio.create_task(watcher.wait_until(booking.id, load, answered, 30))
        await asyncio.sleep(1)
        loaded_while_listening = len(loads)  # a 0.1 s poll would have loaded about ten times

        await cut_listeners(database, NOTIFY_CHANNEL)  # notifies may be missed until it is back

        async def reloaded() -> bool:
            return len(loads) > loaded_while_listening

        await eventually(reloaded)
        await eventually(lambda: listening(database))
        waiter.cancel()
        await asyncio.wait([waiter])

    assert loaded_while_listening == 1


async def test_a_version_wait_looks_once_and_a_notified_version_answers_it(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """The booker's long poll: one look at the version, then only a notify of another version
    answers (the GET loads the booking once, then); a notify of the same version does not."""
    booking_id = uuid.uuid4()
    looks: list[int] = []

    async def look() -> int:
        looks.append(1)
        return 1

    async def looked() -> bool:
        return len(looks) == 1

    async with watching(make_database) as (database, watcher):
        waiter = asyncio.create_task(
            watcher.wait_for_version(booking_id, look, lambda version: version != 1, POLL_SECONDS)
        )
        await eventually(looked)
        await notify(database, BookingChange(booking_id, version=1, answered=False))
        await asyncio.sleep(0.3)  # time enough for a wrongly woken waiter to answer
        assert not waiter.done()
        await notify(database, BookingChange(booking_id, version=2, answered=False))

        assert await asyncio.wait_for(waiter, 5) is True
        assert len(looks) == 1  # answered by the notify, not by another look
        unchanged = await watcher.wait_for_version(booking_id, look, lambda v: v != 1, 0.2)
        assert unchanged is False


async def test_a_booking_handed_over_answers_without_a_load_before_or_after_its_notify(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """A saga step of this process hands the booking it saved to the waiters once committed:
    taken as it is, whether its own NOTIFY comes after the hand-over or before it (the step
    said it was committing that version)."""
    booking = requested()
    loads: list[int] = []

    async def load() -> Booking:
        loads.append(1)
        return version(booking, 99)

    async with watching(make_database) as (database, watcher):
        waiter = asyncio.create_task(
            watcher.wait_until(
                booking.id,
                load,
                lambda state: state.status is Status.CONFIRMED,
                wait_seconds=POLL_SECONDS,
                loaded=booking,
            )
        )
        await asyncio.sleep(0.1)
        paying = version(booking, 2, answered=True)
        watcher.committing(paying)
        watcher.handed(paying)
        await notify(database, BookingChange.of(paying))
        await asyncio.sleep(0.3)  # time enough for the NOTIFY to make a waiter load
        assert (loads, waiter.done()) == ([], False)

        confirmed = replace(version(booking, 3, answered=True), status=Status.CONFIRMED)
        watcher.committing(confirmed)
        await notify(database, BookingChange.of(confirmed))
        await asyncio.sleep(0.3)
        assert (loads, waiter.done()) == ([], False)  # the hand-over is on its way
        watcher.handed(confirmed)

        assert await asyncio.wait_for(waiter, 5) is confirmed
        assert loads == []


async def test_the_newest_version_heard_of_is_known_to_the_booker_alone_until_the_listener_drops(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """What lets the booker's long poll skip its look: the version a hand-over or a NOTIFY said
    last, never an older one that came after (a hand-over may follow a newer NOTIFY)."""
    booking = pending_payment()
    async with watching(make_database) as (database, watcher):
        assert watcher.known_version(booking.id, booking.booker_id) is None
        await notify(database, BookingChange(booking.id, version=3, answered=True))
        await asyncio.sleep(0.3)  # heard: but who may see it, only a hand-over says
        assert watcher.known_version(booking.id, booking.booker_id) is None

        watcher.handed(replace(booking, version=2))  # older than the NOTIFY heard

        assert watcher.known_version(booking.id, booking.booker_id) == 3
        assert watcher.known_version(booking.id, booking.owner_id) is None
        await notify(database, BookingChange(booking.id, version=4, answered=True))

        async def fourth_heard() -> bool:
            return watcher.known_version(booking.id, booking.booker_id) == 4

        await eventually(fourth_heard)
        await cut_listeners(database, NOTIFY_CHANNEL)  # a NOTIFY may be missed meanwhile

        async def forgotten() -> bool:
            return watcher.known_version(booking.id, booking.booker_id) is None

        await eventually(forgotten)
        await eventually(lambda: listening(database))
        assert watcher.known_version(booking.id, booking.booker_id) is None


async def test_a_step_whose_commit_failed_makes_its_waiters_load(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """Its NOTIFY was ignored, and whether it committed is unknown: the waiters read."""
    booking = requested()
    loads: list[Booking] = []

    async def load() -> Booking:
        loads.append(version(booking, 2, answered=True))
        return loads[-1]

    async with watching(make_database) as (database, watcher):
        waiter = asyncio.create_task(
            watcher.wait_until(booking.id, load, answered, POLL_SECONDS, loaded=booking)
        )
        await asyncio.sleep(0.1)
        saved = version(booking, 2, answered=True)
        watcher.committing(saved)
        await notify(database, BookingChange.of(saved))
        await asyncio.sleep(0.3)
        assert (loads, waiter.done()) == ([], False)
        watcher.abandoned(saved)

        assert await asyncio.wait_for(waiter, 5) == loads[0]
        assert len(loads) == 1


async def test_a_hand_over_older_than_a_load_in_flight_is_not_taken(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """A step's hand-over can come late, after a load read a newer version: the waiter keeps
    the newer one."""
    booking = requested()
    gate = asyncio.Event()
    loads: list[int] = []

    async def load() -> Booking:
        loads.append(1)
        await gate.wait()
        return version(booking, 3)

    async def loading() -> bool:
        return len(loads) == 1

    async with watching(make_database) as (_, watcher):
        waiter = asyncio.create_task(
            watcher.wait_until(booking.id, load, lambda state: state.version == 2, 1.0)
        )
        await eventually(loading)
        watcher.handed(version(booking, 2))
        gate.set()

        assert (await asyncio.wait_for(waiter, 5)).version == 3


async def test_a_hand_over_nobody_waits_for_or_that_is_not_awaited_changes_nothing(
    make_database: Callable[[str, Path | None], str],
) -> None:
    booking = requested()
    loads: list[int] = []

    async def load() -> Booking:
        loads.append(1)
        return booking

    async with watching(make_database) as (_, watcher):
        watcher.handed(version(requested(), 2, answered=True))  # nobody waits for it
        waiter = asyncio.create_task(
            watcher.wait_until(
                booking.id,
                load,
                answered,
                wait_seconds=0.5,
                wakes=lambda change: change.answered,
                loaded=booking,
            )
        )
        await asyncio.sleep(0.1)
        watcher.handed(version(booking, 2))  # held, not answered: the POST waits on

        assert await asyncio.wait_for(waiter, 5) is booking
        assert loads == [1]  # once, when the wait ended: neither hand-over woke it


async def test_a_passing_version_answers_a_version_wait_with_the_next_one_or_once_it_lasts(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """The booker's long poll after paying: `confirming`, which the saga passes through on its
    own, is answered by `confirmed` milliseconds later; or by itself once its grace is over."""
    booking_id = uuid.uuid4()

    async def look() -> int:
        return 1

    def waiting(grace: float) -> asyncio.Task[bool]:
        return asyncio.create_task(
            watcher.wait_for_version(
                booking_id, look, lambda v: v != 1, POLL_SECONDS, passing_grace_seconds=grace
            )
        )

    async with watching(make_database) as (database, watcher):
        waiter = waiting(POLL_SECONDS)
        await asyncio.sleep(0.1)
        await notify(database, BookingChange(booking_id, 2, answered=True, passing=True))
        await asyncio.sleep(0.3)  # time enough for a wrongly woken waiter to answer
        assert not waiter.done()
        await notify(database, BookingChange(booking_id, 3, answered=True, passing=False))
        assert await asyncio.wait_for(waiter, 5) is True

        lasting = waiting(0.5)
        await asyncio.sleep(0.1)
        await notify(database, BookingChange(booking_id, 4, answered=True, passing=True))
        notified = asyncio.get_running_loop().time()
        assert await asyncio.wait_for(lasting, 5) is True
        assert asyncio.get_running_loop().time() - notified >= 0.4


def test_a_change_says_whether_the_saga_passes_through_it_and_reads_the_older_payload() -> None:
    confirming = replace(pending_payment(), status=Status.CONFIRMING)
    assert BookingChange.of(confirming).passing
    assert not BookingChange.of(pending_payment()).passing  # the booker is to pay
    assert BookingChange.of(requested()).passing
    change = BookingChange.of(confirming)
    assert BookingChange.parse(change.payload()) == change
    older = f"{change.booking_id} 7 1"  # from a process of the release before
    assert BookingChange.parse(older) == BookingChange(change.booking_id, 7, True, False)
    assert BookingChange.parse("not a change") is None
