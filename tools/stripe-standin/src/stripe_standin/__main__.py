"""`python -m stripe_standin [--host H] [--port P]` serves the stand-in with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from stripe_standin.app import create_app
from stripe_standin.config import Settings


def main() -> None:
    """Parse the command line over the environment's settings and serve."""
    settings = Settings()
    parser = argparse.ArgumentParser(prog="python -m stripe_standin", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args()
    settings = settings.model_copy(update={"host": args.host, "port": args.port})
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
