"""The web's page render times through the gateway, with the system otherwise idle.

Not a test. Starts the whole system with the web front end behind the gateway on scratch
databases and a bus namespace of its own, publishes a few studios, makes one booking and an
admin, then asks every page in turn, `--runs` rounds (after a warm-up), and prints p50/p99 against
two floors measured in the same run: the gateway's /healthz (nginx answers it itself: the
client and nginx) and the web's /healthz asked directly (the web process, no API call). A page's
time above the floor is its own work: templates, session cookie, its calls to the API.
The figures also go to bench/results/web_pages.json (git-ignored).

    make bench, or: PYTHONPATH=. uv run python bench/web_pages.py [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import time
import uuid

import httpx

from bench.measuring import percentile, write_results
from scripts.client import StudiosClient, whole_hour
from scripts.scratch_system import scratch_system
from scripts.system import ROOT, SystemLayout

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "a long enough password"
WARM_UP = 20
STUDIOS = 6


async def timed(
    targets: list[tuple[str, httpx.AsyncClient, str]], runs: int
) -> dict[str, list[float]]:
    """Milliseconds of `runs` GETs of each target, answered 200; the targets take turns, so a
    change of load on the machine meanwhile touches every page and the floors alike."""
    samples: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    for round_number in range(WARM_UP + runs):
        for name, http, path in targets:
            started = time.perf_counter()
            response = await http.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if round_number >= WARM_UP:
                samples[name].append(elapsed)
    return samples


async def signed_in_admin(layout: SystemLayout, http: httpx.AsyncClient) -> None:
    """An admin made with identity's CLI, signed in to the web: `http` keeps the session."""
    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    argv = [sys.executable, "-m", "identity", "create-admin", "--email", email,
            "--password", PASSWORD]  # fmt: skip
    env = layout.service_env("identity")
    await asyncio.to_thread(subprocess.run, argv, env=env, cwd=ROOT, check=True,
                            capture_output=True)  # fmt: skip
    form = await http.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    signed_in = await http.post(
        "/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"Origin": layout.gateway_url},
    )
    assert signed_in.status_code == 303, signed_in.text


async def measure(layout: SystemLayout, runs: int) -> dict[str, dict[str, float]]:
    async with httpx.AsyncClient(timeout=30) as api:
        client = StudiosClient(api, layout.gateway_url, layout.standin_url)
        owner = await client.account("owner")
        studios = [
            await client.published_studio(owner, name=f"Bench Studio {n}") for n in range(STUDIOS)
        ]
        booker = await client.account("booker")
        booking = await client.book(booker, studios[0], whole_hour(days=2))
        await client.pay(booking)
        await client.until_status(booker, booking["id"], "confirmed")
        slug = (await api.get(f"{layout.gateway_url}/api/studios/{studios[0].id}")).json()["slug"]

    gateway, web = layout.gateway_url, f"http://127.0.0.1:{layout.web_port}"
    async with (
        httpx.AsyncClient(base_url=gateway, timeout=30) as visitor,
        httpx.AsyncClient(base_url=gateway, timeout=30) as admin,
        httpx.AsyncClient(base_url=web, timeout=30) as direct,
    ):
        await signed_in_admin(layout, admin)
        targets = [
            ("floor: gateway /healthz (nginx)", visitor, "/healthz"),
            ("floor: web /healthz (direct)", direct, "/healthz"),
            ("landing /", visitor, "/"),
            ("search ?q=", visitor, "/search?q=bench"),
            ("studio page", visitor, f"/studios/{slug}"),
            ("sign-in", visitor, "/sign-in"),
            ("admin overview", admin, "/admin"),
            ("admin studios ?q=", admin, "/admin/studios?q=bench"),
            ("admin users", admin, "/admin/users"),
            ("admin booking timeline", admin, f"/admin/bookings?id={booking['id']}"),
        ]
        samples = await timed(targets, runs)
    return {
        name: {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(percentile(times, 0.99), 2),
            "runs": runs,
        }
        for name, times in samples.items()
    }


def report(results: dict[str, dict[str, float]]) -> None:
    floor = results["floor: gateway /healthz (nginx)"]["p50_ms"]
    print(f"{'page':<32}{'p50 ms':>9}{'p99 ms':>9}{'p50 - floor':>13}")
    for name, figures in results.items():
        print(f"{name:<32}{figures['p50_ms']:>9.2f}{figures['p99_ms']:>9.2f}"
              f"{figures['p50_ms'] - floor:>13.2f}")  # fmt: skip
    print(f"(written to {write_results('web_pages', results)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    with scratch_system(ADMIN_URL, web=True) as (layout, work, _):
        report(asyncio.run(measure(layout, runs)))
        print(f"(logs in {work / 'logs'})")


if __name__ == "__main__":
    main()
