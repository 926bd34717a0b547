"""What every service's `python -m <service>` does alike: serve over HTTP, find migrations."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from service_runtime.settings import ServiceSettings
from service_runtime.telemetry import configure_logging


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the app with uvicorn, logging JSON lines."""
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None)


def migrations_dir_of(package: str) -> Path:
    """A service's Alembic folder, shipped inside its package."""
    return Path(str(resources.files(package) / "migrations"))
