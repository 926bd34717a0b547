"""`python -m availability [serve|migrate]`."""

from __future__ import annotations

import argparse

from availability.app import create_app
from availability.config import AvailabilitySettings
from service_runtime.cli import migrations_dir_of, serve
from service_runtime.migrations import upgrade_to_head


def main() -> None:
    parser = argparse.ArgumentParser(prog="availability")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args()
    settings = AvailabilitySettings()
    if args.command == "migrate":
        upgrade_to_head(migrations_dir_of("availability"), settings.database_url)
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
