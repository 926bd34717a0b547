"""Waiting for a booking to change, across replicas: PostgreSQL LISTEN on booking changes.

Every change of a booking sends NOTIFY in the transaction that makes it (see db/bookings.py), so a
request waiting in one replica wakes when a reply consumed by another replica commits.
While the listener is connected a waiter reloads only when its booking changed in a way it waits
for (the notification says what the booking became); polling is the fallback while the listening
connection is down, and every waiter reloads when it is back (a change may have been missed
meanwhile).

A saga step consumed in this process also hands the booking it saved to this process's waiters
once it has committed (`handed`): the waiting POST answers with it instead of reading it again.
The step's NOTIFY, which may come before or after its hand-over, wakes nobody: the step says what
it is about to commit (`committing`) and, should its commit fail, that it did not (`abandoned`).

While listening, the watcher also remembers the newest version it heard of for recent bookings,
and the booker of those handed over (`known_version`): the booker's long poll at that version
waits without reading it first. A newer version committed meanwhile is one whose NOTIFY is on its
way, and it wakes the wait as it would after a read; the listener coming back forgets them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from booking.db.tables import NOTIFY_CHANNEL
from booking.domain.booking import Booking
from service_runtime.listen import Listener
from service_runtime.waiting import event_within


@dataclass(frozen=True)
class BookingChange:
    """What a booking became, as its NOTIFY tells the waiters (a payload of a few bytes)."""

    booking_id: uuid.UUID
    version: int
    answered: bool
    passing: bool = False  # a state the saga passes through on its own (`Booking.passing`)

    @classmethod
    def of(cls, booking: Booking) -> BookingChange:
        return cls(booking.id, booking.version, booking.answered, booking.passing)

    def payload(self) -> str:
        return f"{self.booking_id} {self.version} {int(self.answered)} {int(self.passing)}"

    @classmethod
    def parse(cls, payload: str) -> BookingChange | None:
        """None for a payload it cannot read. One without `passing`, from a process of the
        release before, is read as not passing (answered at once, as then)."""
        try:
            booking_id, version, answered, *passing = payload.split(" ")
            return cls(uuid.UUID(booking_id), int(version), answered == "1", passing == ["1"])
        except ValueError:
            return None


def any_change(_: BookingChange) -> bool:
    return True


KNOWN_BOOKINGS = 10_000
"""How many bookings' newest versions a watcher remembers (the most recently changed)."""


@dataclass
class _Known:
    version: int  # the newest committed version heard of
    booker_id: uuid.UUID | None = None  # once a hand-over said it


class BookingWatcher:
    """Wakes the waiters of a booking when it changes."""

    def __init__(self, *, poll_seconds: float = 0.5) -> None:
        """Polls every `poll_seconds` until it follows a listener (`follow`)."""
        self._poll_seconds = poll_seconds
        self._waiters: dict[uuid.UUID, set[_Waiter]] = defaultdict(set)
        self._listener: Listener | None = None
        self._committing: set[tuple[uuid.UUID, int]] = set()  # (booking, version) saved here
        self._known: OrderedDict[uuid.UUID, _Known] = OrderedDict()

    def known_version(self, booking_id: uuid.UUID, booker_id: uuid.UUID) -> int | None:
        """The newest version of the booking heard of while listening without a break, if
        `booker_id` is its booker (a booker never changes, an owner may); None: read it."""
        known = self._known.get(booking_id) if self._listening else None
        return known.version if known is not None and known.booker_id == booker_id else None

    @property
    def _listening(self) -> bool:
        return self._listener is not None and self._listener.listening

    def _heard(self, booking_id: uuid.UUID, version: int, booker_id: uuid.UUID | None) -> None:
        """Only ever newer: a hand-over may come after the NOTIFY of a newer version."""
        known = self._known.pop(booking_id, None) or _Known(version)
        known.version = max(known.version, version)
        known.booker_id = booker_id or known.booker_id
        self._known[booking_id] = known
        if len(self._known) > KNOWN_BOOKINGS:
            self._known.popitem(last=False)

    def follow(self, listener: Listener) -> None:
        """Wake on the changes `listener` hears: the process's listening connection, not yet
        started."""
        self._listener = listener
        listener.also(NOTIFY_CHANNEL, self._wake, on_reconnect=self._wake_all)

    @contextlib.contextmanager
    def _watching(
        self, booking_id: uuid.UUID, wakes: Callable[[BookingChange], bool]
    ) -> Iterator[_Waiter]:
        waiter = _Waiter(asyncio.Event(), wakes)
        self._waiters[booking_id].add(waiter)
        try:
            yield waiter
        finally:
            self._waiters[booking_id].discard(waiter)
            if not self._waiters[booking_id]:
                del self._waiters[booking_id]

    async def wait_until(
        self,
        booking_id: uuid.UUID,
        load: Callable[[], Awaitable[Booking]],
        done: Callable[[Booking], bool],
        wait_seconds: float,
        *,
        wakes: Callable[[BookingChange], bool] = any_change,
        loaded: Booking | None = None,
    ) -> Booking:
        """Load the booking until `done` holds or `wait_seconds` pass; returns the last load.
        Only the changes `wakes` accepts make it load again (others cannot make `done` hold),
        and a booking handed over by a saga step of this process stands for a load.

        `loaded`: the booking as the caller has just read or written it, which stands for the
        first load. A change between that and the start of the wait is not seen until the
        wait ends: for a booking just requested, whose answer is several messages away."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        with self._watching(booking_id, wakes) as waiter:
            state = loaded
            while True:
                if state is None:
                    waiter.changed.clear()  # before loading: a change after it sets it again
                    state = waiter.take_handed() or await load()
                waiter.saw(state.version)
                remaining = deadline - loop.time()
                if done(state) or remaining <= 0:
                    return state
                await self._pause(waiter, remaining)
                state = None

    async def wait_for_version(
        self,
        booking_id: uuid.UUID,
        look: Callable[[], Awaitable[int]],
        awaited: Callable[[int], bool],
        wait_seconds: float,
        *,
        passing_grace_seconds: float = 0.0,
    ) -> bool:
        """Whether the booking reached a version `awaited` accepts within `wait_seconds`.

        `look` reads the version: once at first, and again only while not listening or when
        the listener is back. A NOTIFY of such a version answers without another look (the
        caller loads the booking then, once). A version the saga is passing through on its
        own answers only once `passing_grace_seconds` go by without another change (or the
        wait ends): the next version, which usually follows within milliseconds, answers
        instead, and the booker's page changes once rather than twice."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        with self._watching(booking_id, lambda change: awaited(change.version)) as waiter:
            while True:
                waiter.changed.clear()
                if awaited(await look()):
                    return True
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                await self._pause(waiter, remaining)
                if waiter.notified:
                    if waiter.passing and passing_grace_seconds > 0:
                        waiter.changed.clear()
                        grace = min(passing_grace_seconds, deadline - loop.time())
                        await self._pause(waiter, grace)
                    return True

    async def _pause(self, waiter: _Waiter, remaining: float) -> None:
        """Until the waiter is woken or `remaining` seconds pass. Listening, a change cannot be
        missed: nothing to read until one comes. Without the listener, poll (and every waiter
        reads again when it is back)."""
        sleep = remaining if self._listening else min(remaining, self._poll_seconds)
        await event_within(waiter.changed, sleep)

    def committing(self, booking: Booking) -> None:
        """A transaction of this process saved `booking` and is about to commit: its NOTIFY
        wakes nobody, as `handed` (once committed) or `abandoned` (if not) follows."""
        self._committing.add((booking.id, booking.version))

    def handed(self, booking: Booking) -> None:
        """A booking as a transaction of this process saved it, once committed: each waiter of
        a change like it takes it instead of loading the booking again."""
        self._committing.discard((booking.id, booking.version))
        self._heard(booking.id, booking.version, booking.booker_id)
        self._changed(BookingChange.of(booking), booking)

    def abandoned(self, booking: Booking) -> None:
        """The transaction that was `committing` the booking failed: whether its COMMIT took
        effect is unknown (its NOTIFY may have been ignored), so its waiters load again."""
        self._committing.discard((booking.id, booking.version))
        for waiter in self._waiters.get(booking.id, ()):
            waiter.changed.set()

    def _wake(self, payload: str) -> None:
        change = BookingChange.parse(payload)
        if change is None:
            return
        self._heard(change.booking_id, change.version, None)  # a NOTIFY comes once committed
        if (change.booking_id, change.version) not in self._committing:
            self._changed(change, None)

    def _changed(self, change: BookingChange, booking: Booking | None) -> None:
        for waiter in self._waiters.get(change.booking_id, ()):
            if waiter.wakes(change):
                waiter.hear(change, booking)

    def _wake_all(self) -> None:
        self._known.clear()  # a newer version may have been missed
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.handed = None  # a newer change may have been missed: load
                waiter.changed.set()


@dataclass(eq=False)  # one per wait, kept in a set by identity
class _Waiter:
    changed: asyncio.Event
    wakes: Callable[[BookingChange], bool]
    notified: bool = False  # by a change it waits for (not by the listener coming back)
    seen: int = 0  # the newest version loaded (or taken as handed)
    heard: int = 0  # the newest version a change announced
    passing: bool = False  # whether that version is one the saga passes through on its own
    handed: Booking | None = None  # the newest change, when it came as the booking itself

    def hear(self, change: BookingChange, booking: Booking | None) -> None:
        """A change it waits for: a NOTIFY, or a booking handed over (which may come before or
        after its own NOTIFY). One no newer than what it has tells it nothing."""
        version = change.version
        if booking is not None and version > max(self.seen, self._handed_version):
            self.handed = booking
        if version > max(self.seen, self.heard):
            self.heard = version
            self.passing = change.passing
            self.notified = True
            self.changed.set()

    @property
    def _handed_version(self) -> int:
        return self.handed.version if self.handed else 0

    def take_handed(self) -> Booking | None:
        """The booking handed over, unless a newer version has been announced since."""
        handed, self.handed = self.handed, None
        return handed if handed and handed.version >= self.heard else None

    def saw(self, version: int) -> None:
        self.seen = max(self.seen, version)
        if self._handed_version <= self.seen:  # a load in flight read it, or newer
            self.handed = None
