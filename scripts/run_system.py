"""`make run`: create and migrate each service's database, start the system, load demo data.

Every service runs as its own process against the local PostgreSQL and RabbitMQ, logging JSON
lines to .run/logs/<name>.log. Ctrl-C stops everything this script started.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import psycopg

from scripts.system import (
    ROOT,
    SERVICE_NAMES,
    Processes,
    SystemLayout,
    implemented,
    migrate,
    start_service,
    start_standin,
)

LOGS = ROOT / ".run" / "logs"
POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PORTS = {"identity": 8001, "catalog": 8002, "availability": 8003, "booking": 8004, "payments": 8005}

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


def demo_accounts(layout: SystemLayout) -> None:
    """Create the demo admin, owner and booker, once (a rerun finds them there)."""
    identity = layout.url("identity")
    subprocess.run(
        [sys.executable, "-m", "identity", "create-admin", "--email", DEMO_ACCOUNTS["admin"],
         "--password", DEMO_PASSWORD, "--name", "Demo Admin"],
        env=layout.service_env("identity"), cwd=ROOT, capture_output=True, check=False,
    )  # fmt: skip
    for role, email in DEMO_ACCOUNTS.items():
        if role != "admin":
            httpx.post(
                f"{identity}/api/auth/sign-up",
                json={
                    "email": email,
                    "password": DEMO_PASSWORD,
                    "name": f"Demo {role}",
                    "role": role,
                },
            )
        signed_in = httpx.post(
            f"{identity}/api/auth/sign-in", json={"email": email, "password": DEMO_PASSWORD}
        )
        signed_in.raise_for_status()


def print_guide(layout: SystemLayout, started: list[str], logs: Path) -> None:
    identity = layout.url("identity")
    print("\nOneTime Studios is running.\n")
    for name in started:
        print(f"  {name:<13} {layout.url(name)}/docs   (health {layout.url(name)}/readyz)")
    print(f"  stripe stand-in {layout.standin_url}")
    print(f"\n  logs          {logs}/<name>.log (JSON lines with trace ids)")
    print(f"\nDemo accounts (password {DEMO_PASSWORD}):")
    for role, email in DEMO_ACCOUNTS.items():
        print(f"  {role:<7} {email}")
    print("\nTry it:")
    print(f"  curl -s -X POST {identity}/api/auth/sign-in -H 'content-type: application/json' \\")
    print(f'       -d \'{{"email": "{DEMO_ACCOUNTS["booker"]}", "password": "{DEMO_PASSWORD}"}}\'')
    print(f"  curl -s {identity}/api/users/me -H 'Authorization: Bearer <access_token>'")
    print("\nCtrl-C stops everything.\n")


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
        for name in chosen:
            start_service(processes, layout, name)
        for name in chosen:
            processes.wait_ready(name, f"{layout.url(name)}/readyz")
        if args.only is None:
            demo_accounts(layout)
            print_guide(layout, chosen, LOGS)
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
