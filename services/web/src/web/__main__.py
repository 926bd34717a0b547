"""`python -m web`: serve the pages (the web front end has no database to migrate)."""

from __future__ import annotations

import argparse

from service_runtime.cli import serve
from web.app import create_app
from web.config import WebSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="web", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    parser.parse_args()
    settings = WebSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
