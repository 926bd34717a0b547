"""What every service's `python -m <service>` does alike: serve over HTTP, find migrations."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import TypeVar

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from service_runtime.migrations import upgrade_to_head
from service_runtime.settings import HttpSettings, ServiceSettings
from service_runtime.telemetry import configure_logging
from service_runtime.waiting import event_within

S = TypeVar("S", bound=ServiceSettings)


def serve(app: FastAPI, settings: HttpSettings) -> None:
    """Run the app with uvicorn (as `uvicorn.run` would, on a `SleepingServer`), logging JSON
    lines."""
    configure_logging(settings.service_name, settings.log_level)
    tune_garbage_collection()
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_keep_alive=settings.http_keep_alive_seconds,
    )
    server = SleepingServer(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class SleepingServer(uvicorn.Server):
    """uvicorn's server, looking at its clock once a second rather than ten times. uvicorn's
    main loop wakes every 0.1 s to see whether a signal asked it to stop, refreshing the Date
    header at every tenth: a wake costs ~0.15 ms of CPU here, so 1.5 ms a second of each idle
    process. Here the Date header is refreshed at each look, as before once a second, and a
    signal to stop wakes the loop at once."""

    def __init__(self, config: uvicorn.Config, *, look_every_seconds: float = 1.0) -> None:
        super().__init__(config)
        self._look_every = look_every_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_asked = asyncio.Event()

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        ticks = 0
        while not await self.on_tick(ticks):
            ticks = (ticks + 10) % 864_000  # on_tick refreshes the Date header at every tenth
            await event_within(self._stop_asked, self._look_every)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # A signal's handler runs between any two bytecodes, perhaps inside the loop's own
        # bookkeeping: the loop sets the event itself.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop_asked.set)


YOUNG_OBJECTS_BEFORE_COLLECTION = 10_000
"""How many more objects may be made than freed before the young ones are collected. Python's
default, 700, was crossed about 15 times a second under load, and each collection walked the
objects of the requests and messages in flight, ~0.5 ms at a time; most objects are freed by
their last reference going away, before 10,000 pile up."""


def tune_garbage_collection() -> None:
    """Collect garbage less often, and never walk what the process built to start.

    - What exists once the app is built (modules, classes, tables, routes, schemas: live until
      the process ends) is frozen out of every later collection (`gc.freeze`, after collecting
      what startup left over). Each full collection walked its ~170,000 objects: ~100 ms of
      CPU, during which nothing else ran, several times a minute under load.
    - The young generation is collected after `YOUNG_OBJECTS_BEFORE_COLLECTION`.

    8 bookers, 1,200 bookings (bench/README.md): the collector's CPU in booking went from
    920 ms to 17 ms, in availability from 420 to 8, in payments from 450 to 95."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_BEFORE_COLLECTION, middle, old)


def migrations_dir_of(package: str) -> Path:
    """A service's Alembic folder, shipped inside its package."""
    return Path(str(resources.files(package) / "migrations"))


def main(package: str, settings: S, create_app: Callable[[S], FastAPI]) -> None:
    """`python -m <package> [serve|migrate]` for a service with no commands of its own."""
    parser = argparse.ArgumentParser(prog=package)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    if parser.parse_args().command == "migrate":
        upgrade_to_head(migrations_dir_of(package), settings.direct_database_url)
    else:
        serve(create_app(settings), settings)
