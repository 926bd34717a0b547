"""`make run`: create and migrate each service's database, start the system, load demo data.

Every service runs as its own process against the local PostgreSQL and RabbitMQ, logging JSON
lines to .run/logs/<name>.log. Ctrl-C stops everything this script started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from scripts.client import Place, StudiosClient
from scripts.system import (
    ROOT,
    SERVICE_NAMES,
    Processes,
    SystemLayout,
    implemented,
    migrate,
    start_gateway,
    start_mail_sink,
    start_service,
    start_standin,
    start_web,
)

LOGS = ROOT / ".run" / "logs"
POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PORTS = {
    "identity": 8001,
    "catalog": 8002,
    "availability": 8003,
    "booking": 8004,
    "payments": 8005,
    "notifications": 8007,
}

DEMO_PASSWORD = "demo-password-1"
DEMO_ACCOUNTS = {
    "admin": "admin@onetime.studio",
    "owner": "owner@onetime.studio",
    "booker": "booker@onetime.studio",
}


def local_layout() -> SystemLayout:
    return SystemLayout(
        database_urls={
            name: f"postgresql+psycopg://postgres@127.0.0.1:5432/onetime_{name}"
            for name in SERVICE_NAMES
        },
        ports=PORTS,
        standin_port=12111,
        gateway_port=8080,
        web_port=8006,
        smtp_port=1025,
        mail_page_port=8025,
    )


def create_database(name: str) -> None:
    database = f"onetime_{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')


def ensure_port_free(name: str, port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} for {name} is taken: is it running already?")


@dataclass(frozen=True)
class DemoStudio:
    """One of the demo owner's studios: where, its price, and what a booker reads of it (its
    photo one of the web's demo illustrations, `services/web/src/web/static/demo/`)."""

    place: Place
    price_minor: int
    photo: str
    details: dict[str, Any]
    extras: tuple[dict[str, Any], ...]


DEMO_STUDIOS = [
    DemoStudio(
        Place("Berlin", "DE", 52.5200, 13.4050, "Europe/Berlin", "EUR"),
        4500,
        "recording.svg",
        {
            "name": "Kreuzberg Sound Lab",
            "capacity": 6,
            "description": "A tracking room for a full band and a control room with an analogue"
            " console, a vocal booth and an upright piano.\n\nA sound engineer can run the"
            " session for you; bring your own or book ours as an extra.",
            "address": "Oranienstraße 25",
            "amenities": [
                "soundproofing",
                "vocal_booth",
                "mixing_console",
                "piano",
                "wifi",
                "air_conditioning",
                "engineer_available",
            ],
            "rooms": [
                {"name": "Live room", "capacity": 6},
                {"name": "Vocal booth", "capacity": 2, "hourly_price_minor": 3500},
            ],
        },
        (
            {"name": "Sound engineer", "pricing": "per_hour", "price_minor": 2500},
            {
                "name": "Extra microphone",
                "pricing": "per_item",
                "price_minor": 500,
                "max_quantity": 6,
            },
        ),
    ),
    DemoStudio(
        Place("Lisbon", "PT", 38.7223, -9.1393, "Europe/Lisbon", "EUR"),
        5500,
        "photo.svg",
        {
            "name": "Alfama Daylight Studio",
            "capacity": 8,
            "description": "A white cyclorama under tall north-facing windows, with a lighting"
            " kit, paper backdrops and a makeup room.\n\nSoft daylight from morning to late"
            " afternoon; blackout blinds for the evening.",
            "address": "Rua dos Remédios 12",
            "amenities": [
                "cyclorama",
                "natural_light",
                "lighting_kit",
                "backdrops",
                "makeup_room",
                "changing_room",
                "wifi",
            ],
            "rooms": [
                {"name": "Cyclorama hall", "capacity": 8},
                {"name": "Window room", "capacity": 4, "hourly_price_minor": 4000},
            ],
        },
        (
            {"name": "Photographer's assistant", "pricing": "per_hour", "price_minor": 2000},
            {
                "name": "Coloured paper backdrop",
                "pricing": "per_item",
                "price_minor": 800,
                "max_quantity": 4,
            },
        ),
    ),
    DemoStudio(
        Place("New York", "US", 40.7128, -74.0060, "America/New_York", "USD"),
        6500,
        "rehearsal.svg",
        {
            "name": "Canal Street Rehearsal Rooms",
            "capacity": 6,
            "description": "Soundproofed rooms with a drum kit, guitar and bass amps and a PA"
            " system, ready for a band to plug in.\n\nLoad in from the street through the"
            " loading dock.",
            "address": "280 Canal Street",
            "amenities": [
                "soundproofing",
                "drum_kit",
                "guitar_amps",
                "pa_system",
                "loading_dock",
                "air_conditioning",
            ],
            "rooms": [
                {"name": "Room A", "capacity": 6},
                {"name": "Room B", "capacity": 4, "hourly_price_minor": 5000},
            ],
        },
        (
            {"name": "Cymbal pack", "pricing": "per_booking", "price_minor": 1000},
            {
                "name": "Extra microphone",
                "pricing": "per_item",
                "price_minor": 500,
                "max_quantity": 6,
            },
        ),
    ),
]


def demo_data(layout: SystemLayout) -> None:
    """The demo admin, owner and booker, the owner's published studios and payout account.

    Made once: a rerun finds the accounts (and their studios) there and adds nothing.
    """
    subprocess.run(
        [sys.executable, "-m", "identity", "create-admin", "--email", DEMO_ACCOUNTS["admin"],
         "--password", DEMO_PASSWORD, "--name", "Demo Admin"],
        env=layout.service_env("identity"), cwd=ROOT, capture_output=True, check=False,
    )  # fmt: skip
    asyncio.run(_demo_owner_and_booker(layout))


async def _demo_owner_and_booker(layout: SystemLayout) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        client = StudiosClient(http, layout.gateway_url, layout.standin_url)
        accounts = {
            role: await client.sign_up_or_in(DEMO_ACCOUNTS[role], DEMO_PASSWORD, role)
            for role in ("owner", "booker")
        }
        owner = accounts["owner"]
        mine = await http.get(f"{layout.gateway_url}/api/owner/studios", headers=owner.headers)
        if mine.json():
            return
        await client.onboard_for_payouts(owner)
        for demo in DEMO_STUDIOS:
            photo = {"url": f"{layout.gateway_url}/static/demo/{demo.photo}", "caption": ""}
            studio = await client.published_studio(
                owner,
                place=demo.place,
                price=demo.price_minor,
                opens="09:00",
                closes="22:00",
                details=demo.details | {"photos": [photo]},
            )
            for extra in demo.extras:
                added = await http.post(
                    f"{layout.gateway_url}/api/studios/{studio.id}/add-ons",
                    headers=owner.headers,
                    json=extra,
                )
                added.raise_for_status()


def print_guide(layout: SystemLayout, logs: Path) -> None:
    api = layout.gateway_url
    steps = (ROOT / "scripts" / "walkthrough.sh").read_text().split("field()", 1)[1]
    print(f"""
OneTime Studios is running.

  web            {api}/   (open it in a browser: search, studio pages, sign in)
  gateway        {api}   (every public API; OpenAPI at {api}/api/openapi.json)
  services       {", ".join(f"{n} {layout.url(n)}/docs" for n in layout.ports)}
  stripe stand-in {layout.standin_url}
  mail sink      {layout.mail_page_url}   (every email sent; SMTP on {layout.smtp_port})
  logs           {logs}/<name>.log (JSON lines with trace ids)

Demo accounts (password {DEMO_PASSWORD}): {", ".join(DEMO_ACCOUNTS.values())}

A booking, end to end through the gateway (book, pay, confirmed, cancel, refund):
  bash scripts/walkthrough.sh
which does, in curl:
{textwrap.indent(steps.split(chr(10), 1)[1], "  ")}
Ctrl-C stops everything.
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run one service alone (its database migrated first)")
    args = parser.parse_args()
    chosen = [n for n in SERVICE_NAMES if implemented(n) and args.only in (None, n)]
    if not chosen:
        raise SystemExit(f"no implemented service named {args.only}")
    layout = local_layout()
    processes = Processes(LOGS)
    # A flag, not KeyboardInterrupt: Ctrl-C may arrive twice (directly and forwarded by uv).
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        for name in chosen:
            ensure_port_free(name, layout.ports[name])
            create_database(name)
            migrate(layout, name)
        if args.only is None:
            start_standin(processes, layout)
            processes.wait_ready("stripe-standin", f"{layout.standin_url}/_standin/health")
            ensure_port_free("mail sink", layout.smtp_port)
            start_mail_sink(processes, layout)
            processes.wait_ready("mail-sink", layout.mail_page_url)
        for name in chosen:
            start_service(processes, layout, name)
        for name in chosen:
            processes.wait_ready(name, f"{layout.url(name)}/readyz")
        if args.only is None:
            ensure_port_free("web", 8006)
            start_gateway(processes, layout, ROOT / ".run" / "gateway")
            processes.wait_ready("gateway", f"{layout.gateway_url}/healthz")
            start_web(processes, layout)
            processes.wait_ready("web", f"{layout.gateway_url}/sign-in")
            demo_data(layout)
            print_guide(layout, LOGS)
        else:
            print(f"{args.only} at {layout.url(args.only)}/docs; Ctrl-C stops it")
        while not stop.wait(0.5):
            if exited := processes.exited():
                print(f"{', '.join(exited)} exited; see {LOGS}", file=sys.stderr)
                break
    finally:
        processes.stop_all()
        print("stopped")


if __name__ == "__main__":
    main()
