"""What every service's `python -m <service>` does alike: serve over HTTP, find migrations."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from service_runtime.migrations import upgrade_to_head
from service_runtime.settings import HttpSettings, ServiceSettings
from service_runtime.telemetry import configure_logging

S = TypeVar("S", bound=ServiceSettings)


def serve(app: FastAPI, settings: HttpSettings) -> None:
    """Run the app with uvicorn, logging JSON lines."""
    configure_logging(settings.service_name, settings.log_level)
    tune_garbage_collection()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_keep_alive=settings.http_keep_alive_seconds,
    )


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
