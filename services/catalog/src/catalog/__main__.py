"""`python -m catalog [serve|migrate|seed --count N [--owner-id UUID ...]]`."""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from catalog.app import create_app
from catalog.config import CatalogSettings
from catalog.seeding.loading import seed
from service_runtime.cli import migrations_dir_of, serve
from service_runtime.db import Database
from service_runtime.migrations import upgrade_to_head
from service_runtime.telemetry import create_tracer_provider


async def _seed(settings: CatalogSettings, args: argparse.Namespace) -> None:
    database = Database(settings.direct_database_url)
    tracer_provider = create_tracer_provider(settings)
    started = time.perf_counter()
    try:
        count = await seed(
            database,
            args.count,
            args.owner_id or (),
            events=not args.no_events,
            random_seed=args.random_seed,
            tracer_provider=tracer_provider,
        )
    finally:
        await database.dispose()
        tracer_provider.shutdown()
    print(f"seeded {count} published studios in {time.perf_counter() - started:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(prog="catalog")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "seed"])
    parser.add_argument("--count", type=int, default=100, help="seed: how many studios")
    parser.add_argument(
        "--owner-id",
        type=uuid.UUID,
        action="append",
        help="seed: an owner of the studios (repeatable; random owners when none)",
    )
    parser.add_argument(
        "--no-events", action="store_true", help="seed: do not announce them on the bus"
    )
    parser.add_argument("--random-seed", type=int, help="seed: the same number, the same studios")
    args = parser.parse_args()
    settings = CatalogSettings()
    if args.command == "migrate":
        upgrade_to_head(migrations_dir_of("catalog"), settings.direct_database_url)
    elif args.command == "seed":
        if args.count < 1:
            parser.error("seed needs --count of at least 1")
        asyncio.run(_seed(settings, args))
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
