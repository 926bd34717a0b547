"""How a service's process treats its garbage once started, and how its server sleeps."""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from service_runtime.cli import (
    YOUNG_OBJECTS_BEFORE_COLLECTION,
    SleepingServer,
    tune_garbage_collection,
)
from tests.fixtures.infra import eventually


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.mark.usefixtures("collector_restored")
def test_what_startup_built_is_left_out_of_collections_and_new_garbage_still_goes() -> None:
    built_at_startup = Node()
    assert gc.is_tracked(built_at_startup)

    tune_garbage_collection()

    # A collection no longer walks what existed then (it is frozen), only what came after.
    walked = gc.get_objects()
    assert not any(each is built_at_startup for each in walked)
    assert gc.get_freeze_count() > len(walked)
    assert gc.get_threshold()[0] == YOUNG_OBJECTS_BEFORE_COLLECTION

    # A reference cycle made afterwards is garbage the collector still finds.
    first, second = Node(), Node()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2


async def test_an_idle_server_sleeps_and_a_signal_still_stops_it_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn's own server looks at its clock ten times a second, to see whether it was asked
    to stop. Looking once an hour here, it must stop all the same when a signal asks. (On a
    thread of its own, as a signal's handler may run while the loop is anywhere; and uvicorn
    raises a signal it handled again once stopped, which only the main thread does.)"""
    server = SleepingServer(
        uvicorn.Config(FastAPI(), host="127.0.0.1", port=0, log_config=None, lifespan="off"),
        look_every_seconds=3600,
    )
    looks = 0
    on_tick = server.on_tick

    async def counting(counter: int) -> bool:
        nonlocal looks
        looks += 1
        return await on_tick(counter)

    monkeypatch.setattr(server, "on_tick", counting)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()

    async def looked() -> bool:
        return looks > 0

    await eventually(looked)
    await asyncio.sleep(0.55)  # five of uvicorn's own looks
    assert looks == 1
    assert server.server_state.default_headers[0][0] == b"date"

    server.handle_exit(signal.SIGTERM, None)
    await asyncio.to_thread(serving.join, 30)  # not the hour
    assert not serving.is_alive()
    assert looks == 2
