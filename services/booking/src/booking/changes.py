"""Waiting for a booking to change, across replicas: PostgreSQL LISTEN on booking changes.

Every change of a booking sends NOTIFY in the transaction that makes it (see db/bookings.py), so a
request waiting in one replica wakes when a reply consumed by another replica commits.
While the listener is connected a waiter reloads only when its booking changed in a way it waits
for (the notification says what the booking became); polling is the fallback while the listening
connection is down, and every waiter reloads when it is back (a change may have been missed
meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from booking.db.tables import NOTIFY_CHANNEL
from booking.domain.booking import Booking
from service_runtime.listen import Listener

T = TypeVar("T")


@dataclass(frozen=True)
class BookingChange:
    """What a booking became, as its NOTIFY tells the waiters (a payload of a few bytes)."""

    booking_id: uuid.UUID
    version: int
    answered: bool

    @classmethod
    def of(cls, booking: Booking) -> BookingChange:
        return cls(booking.id, booking.version, booking.answered)

    def payload(self) -> str:
        return f"{self.booking_id} {self.version} {int(self.answered)}"

    @classmethod
    def parse(cls, payload: str) -> BookingChange | None:
        try:
            booking_id, version, answered = payload.split(" ")
            return cls(uuid.UUID(booking_id), int(version), answered == "1")
        except ValueError:
            return None


def any_change(_: BookingChange) -> bool:
    return True


class BookingWatcher:
    """Wakes the waiters of a booking when it changes."""

    def __init__(self, listener: Listener, *, poll_seconds: float = 0.5) -> None:
        """`listener`: the process's listening connection, not yet started."""
        self._poll_seconds = poll_seconds
        self._waiters: dict[uuid.UUID, set[_Waiter]] = defaultdict(set)
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
        load: Callable[[], Awaitable[T]],
        done: Callable[[T], bool],
        wait_seconds: float,
        *,
        wakes: Callable[[BookingChange], bool] = any_change,
        loaded: T | None = None,
    ) -> T:
        """Load the booking until `done` holds or `wait_seconds` pass; returns the last load.
        Only the changes `wakes` accepts make it load again (others cannot make `done` hold).

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
                    state = await load()
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
    ) -> bool:
        """Whether the booking reached a version `awaited` accepts within `wait_seconds`.

        `look` reads the version: once at first, and again only while not listening or when
        the listener is back. A NOTIFY of such a version answers without another look (the
        caller loads the booking then, once)."""
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
                    return True

    async def _pause(self, waiter: _Waiter, remaining: float) -> None:
        """Until the waiter is woken or `remaining` seconds pass. Listening, a change cannot be
        missed: nothing to read until one comes. Without the listener, poll (and every waiter
        reads again when it is back)."""
        sleep = remaining if self._listener.listening else min(remaining, self._poll_seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.changed.wait(), sleep)

    def _wake(self, payload: str) -> None:
        change = BookingChange.parse(payload)
        if change is None:
            return
        for waiter in self._waiters.get(change.booking_id, ()):
            if waiter.wakes(change):
                waiter.notified = True
                waiter.changed.set()

    def _wake_all(self) -> None:
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.changed.set()


@dataclass(eq=False)  # one per wait, kept in a set by identity
class _Waiter:
    changed: asyncio.Event
    wakes: Callable[[BookingChange], bool]
    notified: bool = False  # by a change it waits for (not by the listener coming back)
