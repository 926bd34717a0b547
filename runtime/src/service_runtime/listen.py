"""PostgreSQL LISTEN on a dedicated connection that comes back after it drops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen
from sqlalchemy.engine import URL, make_url

from service_runtime.background import DEFAULT_MAX_BACKOFF_SECONDS, BackgroundTask, Backoff

log = logging.getLogger(__name__)

RV = TypeVar("RV")

IDLE_WAKE_SECONDS = 3600.0
"""How often a listening connection's wait wakes with nothing to read (psycopg's: 0.1 s)."""


class _SleepingConnection(psycopg.AsyncConnection[Any]):
    """A connection whose waits sleep until its socket is ready. psycopg wakes every wait each
    0.1 s, for a blocking wait to notice Ctrl-C; so an idle `notifies()` woke its process ten
    times a second, 1.8 ms of CPU a second per listener here, forever. On asyncio a
    cancellation ends the wait anyway, and a closed socket reads as ready."""

    async def wait(
        self,
        gen: PQGen[RV],
        interval: float = IDLE_WAKE_SECONDS,
        timeout: float | None = None,  # noqa: ASYNC109 (psycopg's signature: notifies() passes it)
    ) -> RV:
        return await super().wait(gen, interval=interval, timeout=timeout)


def _nothing() -> None:
    pass


def _ignore(_: str) -> None:
    pass


class Listener(BackgroundTask):
    """Calls `on_notify(payload)` for each NOTIFY on `channel` (and on each channel added by
    `also`); without any channel it does not connect.

    A dropped connection is reconnected after `retry_seconds`, doubling up to
    `max_retry_seconds` while the database stays away. `on_reconnect()` is called each time
    LISTEN is in place, the first time included: whatever was notified while not listening
    is lost, so the owner catches up there (reloads, or wakes its loop).
    """

    def __init__(
        self,
        name: str,
        database_url: str | URL,
        channel: str | None = None,
        on_notify: Callable[[str], None] = _ignore,
        *,
        on_reconnect: Callable[[], None] = _nothing,
        retry_seconds: float,
        max_retry_seconds: float = DEFAULT_MAX_BACKOFF_SECONDS,
    ) -> None:
        super().__init__(name)
        url = make_url(database_url).set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._channels = {channel: (on_notify, on_reconnect)} if channel else {}
        self._backoff = Backoff(retry_seconds, max_retry_seconds)
        self.listening = False
        """Whether LISTEN is in place now: while it is, a NOTIFY cannot be missed."""

    def also(
        self, channel: str, on_notify: Callable[[str], None], *, on_reconnect: Callable[[], None]
    ) -> None:
        """Listen on one more channel over the same connection (call before `start`): a process
        keeps one listening connection, not one per use."""
        self._channels[channel] = (on_notify, on_reconnect)

    def start(self) -> None:
        if self._channels:
            super().start()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except Exception:
                log.warning("%s lost its connection; reconnecting", self.name, exc_info=True)
            await asyncio.sleep(self._backoff.after_failure())

    async def _listen(self) -> None:
        async with await _SleepingConnection.connect(self._conninfo, autocommit=True) as connection:
            for channel in self._channels:
                await connection.execute(f"LISTEN {channel}")
            self._backoff.reset()
            self.listening = True
            try:
                for _, on_reconnect in self._channels.values():
                    on_reconnect()
                async for notify in connection.notifies():
                    on_notify, _ = self._channels[notify.channel]
                    on_notify(notify.payload)
            finally:
                self.listening = False
