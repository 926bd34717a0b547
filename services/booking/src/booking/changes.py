"""Waiting for a booking to change, across replicas: PostgreSQL LISTEN on booking changes.

Every change of a booking sends NOTIFY in the transaction that makes it (see db/bookings.py), so a
request waiting in one replica wakes when a reply consumed by another replica commits.
While the listener is connected a waiter reloads only when its booking changed; polling is the
fallback while the listening connection is down, and every waiter reloads when it is back (a
change may have been missed meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from booking.db.tables import NOTIFY_CHANNEL
from service_runtime.listen import Listener

T = TypeVar("T")


class BookingWatcher:
    """Wakes the waiters of a booking when it changes."""

    def __init__(self, database_url: str, *, poll_seconds: float = 0.5) -> None:
        self._poll_seconds = poll_seconds
        self._waiters: dict[uuid.UUID, set[asyncio.Event]] = defaultdict(set)
        self._listener = Listener(
            "booking-changes",
            database_url,
            NOTIFY_CHANNEL,
            self._wake,
            on_reconnect=self._wake_all,
            retry_seconds=poll_seconds,
        )

    async def start(self) -> None:
        self._listener.start()

    async def stop(self) -> None:
        await self._listener.stop()

    @contextlib.contextmanager
    def _watching(self, booking_id: uuid.UUID) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._waiters[booking_id].add(event)
        try:
            yield event
        finally:
            self._waiters[booking_id].discard(event)
            if not self._waiters[booking_id]:
                del self._waiters[booking_id]

    async def wait_until(
        self,
        booking_id: uuid.UUID,
        load: Callable[[], Awaitable[T]],
        done: Callable[[T], bool],
        wait_seconds: float,
    ) -> T:
        """Load the booking until `done` holds or `wait_seconds` pass; returns the last load."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        with self._watching(booking_id) as changed:
            while True:
                changed.clear()  # before loading: a change after the load sets it again
                state = await load()
                remaining = deadline - loop.time()
                if done(state) or remaining <= 0:
                    return state
                # Listening, a change cannot be missed: no reload until one comes. Without the
                # listener, poll (and every waiter reloads when it is back).
                sleep = (
                    remaining if self._listener.listening else min(remaining, self._poll_seconds)
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), sleep)

    def _wake(self, payload: str) -> None:
        try:
            booking_id = uuid.UUID(payload)
        except ValueError:
            return
        for event in self._waiters.get(booking_id, ()):
            event.set()

    def _wake_all(self) -> None:
        for events in self._waiters.values():
            for event in events:
                event.set()
