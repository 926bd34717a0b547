"""`make run`: create and migrate each service's database, start the services, load demo data.

Every service runs as its own process against the local PostgreSQL and RabbitMQ, logging JSON
lines to .run/logs/<service>.log. Ctrl-C stops everything this script started.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".run" / "logs"
POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IDENTITY_URL = "http://127.0.0.1:8001"

DEMO_PASSWORD = "demo-password-1"
DEMO_ACCOUNTS = {
    "admin": "admin@onetime.studio",
    "owner": "owner@onetime.studio",
    "booker": "booker@onetime.studio",
}


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def prefix(self) -> str:
        return self.name.upper() + "_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def implemented(self) -> bool:
        return importlib.util.find_spec(f"{self.name}.app") is not None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            f"{self.prefix}DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/onetime_{self.name}",
            f"{self.prefix}HTTP_PORT": str(self.port),
            f"{self.prefix}AUTH_ISSUER": IDENTITY_URL,
            f"{self.prefix}AUTH_JWKS_URL": f"{IDENTITY_URL}/.well-known/jwks.json",
        }


SERVICES = [
    Service("identity", 8001),
    Service("catalog", 8002),
    Service("availability", 8003),
    Service("booking", 8004),
    Service("payments", 8005),
]


def create_database(service: Service) -> None:
    name = f"onetime_{service.name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def migrate(service: Service) -> None:
    subprocess.run(
        [sys.executable, "-m", service.name, "migrate"], env=service.env(), check=True, cwd=ROOT
    )


def ensure_port_free(service: Service) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", service.port)) == 0:
            raise SystemExit(f"port {service.port} for {service.name} is taken: is it running?")


def start(service: Service) -> subprocess.Popen[bytes]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"{service.name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", service.name],
        env=service.env(),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(service: Service, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{service.name} exited; see {LOGS / (service.name + '.log')}")
        try:
            if httpx.get(f"{service.url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{service.name} not ready after {timeout}s; see its log")


def demo_accounts() -> None:
    """Create the demo admin, owner and booker, once (a rerun finds them there)."""
    identity = SERVICES[0]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "identity",
            "create-admin",
            "--email",
            DEMO_ACCOUNTS["admin"],
            "--password",
            DEMO_PASSWORD,
            "--name",
            "Demo Admin",
        ],
        env=identity.env(),
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    for role, email in DEMO_ACCOUNTS.items():
        if role != "admin":
            httpx.post(
                f"{IDENTITY_URL}/api/auth/sign-up",
                json={
                    "email": email,
                    "password": DEMO_PASSWORD,
                    "name": f"Demo {role}",
                    "role": role,
                },
            )
        signed_in = httpx.post(
            f"{IDENTITY_URL}/api/auth/sign-in", json={"email": email, "password": DEMO_PASSWORD}
        )
        signed_in.raise_for_status()


def print_guide(started: list[Service]) -> None:
    print("\nOneTime Studios is running.\n")
    for service in started:
        print(f"  {service.name:<13} {service.url}/docs   (health {service.url}/readyz)")
    print(f"\n  logs          {LOGS}/<service>.log (JSON lines with trace ids)")
    print(f"\nDemo accounts (password {DEMO_PASSWORD}):")
    for role, email in DEMO_ACCOUNTS.items():
        print(f"  {role:<7} {email}")
    print("\nTry it:")
    print(
        f"  curl -s -X POST {IDENTITY_URL}/api/auth/sign-in -H 'content-type: application/json' \\"
    )
    print(f'       -d \'{{"email": "{DEMO_ACCOUNTS["booker"]}", "password": "{DEMO_PASSWORD}"}}\'')
    print(f"  curl -s {IDENTITY_URL}/api/users/me -H 'Authorization: Bearer <access_token>'")
    print("\nCtrl-C stops everything.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run one service alone (its database migrated first)")
    args = parser.parse_args()
    chosen = [s for s in SERVICES if s.implemented and (args.only in (None, s.name))]
    if args.only and not chosen:
        raise SystemExit(f"no implemented service named {args.only}")
    processes: list[subprocess.Popen[bytes]] = []
    # A flag, not KeyboardInterrupt: Ctrl-C may arrive twice (directly and forwarded by uv).
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        for service in chosen:
            ensure_port_free(service)
            create_database(service)
            migrate(service)
        for service in chosen:
            processes.append(start(service))
        for service, process in zip(chosen, processes, strict=True):
            wait_ready(service, process)
        if chosen[0].name == "identity":
            demo_accounts()
            print_guide(chosen)
        else:
            print(f"{chosen[0].name} at {chosen[0].url}/docs; Ctrl-C stops it")
        while not stop.wait(0.5):
            if any(process.poll() is not None for process in processes):
                print("a service exited; see its log in .run/logs", file=sys.stderr)
                break
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        print("stopped")


if __name__ == "__main__":
    main()
