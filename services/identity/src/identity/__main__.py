"""`python -m identity [serve|migrate|rotate-key|reencrypt-keys|create-admin]`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from identity.app import create_app
from identity.config import IdentitySettings
from identity.db.base import outbox
from identity.db.unit import SqlIdentityUnits
from identity.repositories import IdentityUnits
from identity.service import users
from service_runtime.cli import migrations_dir_of, serve
from service_runtime.db import Database
from service_runtime.migrations import upgrade_to_head
from service_runtime.unit_of_work import UnitsOfWork


async def _with_units(
    settings: IdentitySettings, use: Callable[[IdentityUnits], Awaitable[object]]
) -> None:
    database = Database(settings.direct_database_url)
    try:
        print(await use(SqlIdentityUnits(UnitsOfWork(database, outbox))))
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="identity")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "rotate-key", "reencrypt-keys", "create-admin"],
    )
    parser.add_argument("--email", help="create-admin: the admin's email")
    parser.add_argument("--password", help="create-admin: the admin's password")
    parser.add_argument("--name", default="Admin", help="create-admin: the admin's name")
    args = parser.parse_args()
    settings = IdentitySettings()
    if args.command == "migrate":
        upgrade_to_head(migrations_dir_of("identity"), settings.direct_database_url)
    elif args.command == "rotate-key":
        asyncio.run(_with_units(settings, lambda units: users.rotate_signing_key(units, settings)))
    elif args.command == "reencrypt-keys":  # after a new key-encryption key was prepended
        asyncio.run(
            _with_units(settings, lambda units: users.reencrypt_signing_keys(units, settings))
        )
    elif args.command == "create-admin":
        if not (args.email and args.password):
            parser.error("create-admin needs --email and --password")
        asyncio.run(
            _with_units(
                settings,
                lambda units: users.create_admin(
                    units, settings, email=args.email, password=args.password, name=args.name
                ),
            )
        )
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
