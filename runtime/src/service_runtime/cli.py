"""What every service's `python -m <service>` does alike: serve over HTTP, find migrations."""

from __future__ import annotations

import argparse
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
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_keep_alive=settings.http_keep_alive_seconds,
    )


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
