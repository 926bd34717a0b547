"""`python -m identity [serve|migrate|rotate-key]`."""

from __future__ import annotations

import argparse
import asyncio

from identity import service
from identity.app import create_app
from identity.config import IdentitySettings
from identity.db import outbox
from service_runtime.cli import migrations_dir_of, serve
from service_runtime.db import Database
from service_runtime.migrations import upgrade_to_head
from service_runtime.unit_of_work import UnitsOfWork


async def _rotate(settings: IdentitySettings) -> None:
    database = Database(settings.database_url)
    try:
        print(await service.rotate_signing_key(UnitsOfWork(database, outbox)))
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="identity")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "rotate-key"])
    command = parser.parse_args().command
    settings = IdentitySettings()
    if command == "migrate":
        upgrade_to_head(migrations_dir_of("identity"), settings.database_url)
    elif command == "rotate-key":
        asyncio.run(_rotate(settings))
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
