"""`python -m payments [serve|migrate]`."""

from __future__ import annotations

import argparse

from payments.app import create_app
from payments.config import PaymentsSettings
from service_runtime.cli import migrations_dir_of, serve
from service_runtime.migrations import upgrade_to_head


def main() -> None:
    parser = argparse.ArgumentParser(prog="payments")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args()
    settings = PaymentsSettings()
    if args.command == "migrate":
        upgrade_to_head(migrations_dir_of("payments"), settings.database_url)
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
