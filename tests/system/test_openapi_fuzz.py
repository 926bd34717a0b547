"""Schemathesis over the gateway's merged OpenAPI, through the real gateway of the whole system:
anonymous, and with the tokens of a booker, an owner and an admin (naming their own things, so
the fuzzer gets past 404 into what each may really do). No server errors, and no answer the
document does not describe (status, media type, body, required auth).

Bounded for `make test` (a few examples per operation, one seed); `make fuzz` runs longer with
FUZZ_MAX_EXAMPLES and FUZZ_SEED.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.client import Account, whole_hour
from tests.system.conftest import RunningSystem
from tests.system.world import World

MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "4")
SEED = os.environ.get("FUZZ_SEED", "8")
# The stateful phase (chains of calls along inferred links) takes minutes: `make fuzz` adds it.
PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing")
# The coverage phase (nine in ten of a run's requests) sends each operation its boundary and
# invalid values. Signed out, a protected operation answers 401 to all of them, and the public
# ones get the same values from the signed-in runs: so `make test` spares anonymous that phase.
ANONYMOUS_PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
EXCLUDED_CHECKS = ",".join(
    [
        # A 4xx for schema-valid input is documented, not a lie: rules across fields (`to`
        # after `from`), opaque cursors and webhook signatures cannot be said in JSON Schema.
        "positive_data_acceptance",
        # Methods the document does not declare (TRACE, OPTIONS) are not in the document; the
        # gateway's own answers to them are tested in tests/gateway.
        "unsupported_method",
        "allow_header_conformance",
    ]
)

# Failures seen today, each a fix another part of issue 8 owns: (check code, operation pattern)
# -> why. A listed failure that no longer shows fails the test too, so the list stays true.
KNOWN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Identity:
    headers: dict[str, str]
    # Path ids the fuzzer uses for this person: their own studio, room, booking, hold, feed.
    ids: dict[str, str]
    phases: str = PHASES


@pytest.fixture(scope="module")
async def identities(system: RunningSystem) -> AsyncIterator[dict[str, Identity]]:
    async with httpx.AsyncClient(timeout=30) as http:
        world = World(http, system.layout)
        owner, booker, admin = (
            await world.account("owner"),
            await world.account("booker"),
            await world.admin(),
        )
        studio = await world.published_studio(owner, rooms=2)
        booking = await world.book(booker, studio, whole_hour(days=25))
        hold = await _made(http, "POST", f"{world.gateway}/api/availability/hold", booker, json={
            "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
            "starts_at": whole_hour(days=26).isoformat(),
            "ends_at": whole_hour(days=26, hour=11).isoformat(),
        })  # fmt: skip
        availability = f"{world.gateway}/api/availability/studios/{studio.id}"
        feed = await _made(http, "POST", f"{availability}/calendar-feeds", owner, json={})
        calendar = await _made(
            http,
            "POST",
            f"{availability}/rooms/{studio.rooms[1]}/external-calendars",
            owner,
            json={"url": "http://127.0.0.1:9/busy.ics"},  # port 9: nothing answers
        )
        mine = {
            "studio_id": str(studio.id),
            "id_or_slug": str(studio.id),
            "room_id": str(studio.rooms[1]),
            "booking_id": booking["id"],
            "hold_id": hold["hold_id"],
            "feed_id": feed["id"],
            "secret": feed["path"].removeprefix("/api/availability/feeds/").removesuffix(".ics"),
            "calendar_id": calendar["id"],
        }
        yield {
            "anonymous": Identity({}, {}, ANONYMOUS_PHASES),
            "booker": Identity(booker.headers, mine),
            "owner": Identity(owner.headers, mine),
            "admin": Identity(admin.headers, {**mine, "user_id": str(booker.user_id)}),
        }


async def _made(
    http: httpx.AsyncClient, method: str, url: str, who: Account, **kwargs: Any
) -> dict[str, Any]:
    response = await http.request(method, url, headers=who.headers, **kwargs)
    assert response.is_success, response.text
    made: dict[str, Any] = response.json()
    return made


async def fuzz(gateway: str, identity: Identity, work: Path) -> dict[str, object]:
    """One schemathesis run; its JSON report."""
    config = work / "schemathesis.toml"
    config.write_text(
        # Requests with undeclared methods are what the excluded checks judge: 439 of a run's
        # 3,752 requests, for 405 problems that tests/gateway and runtime/tests check.
        "[phases.coverage]\nunexpected-methods = []\n"
        "[parameters]\n" + "".join(f'{name} = "{value}"\n' for name, value in identity.ids.items())
    )
    report = work / "report.json"
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
            f"{gateway}/api/openapi.json", "--url", gateway, "--checks", "all",
            "--exclude-checks", EXCLUDED_CHECKS, "--phases", identity.phases,
            "--max-examples", MAX_EXAMPLES, "--seed", SEED, "--workers", "2",
            "--request-timeout", "30", "--no-color", "--report", "json",
            "--report-json-path", str(report)]  # fmt: skip
    for name, value in identity.headers.items():
        argv += ["--header", f"{name}: {value}"]
    # In the run's own folder: schemathesis keeps a cache where it runs.
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=work, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    (work / "output.txt").write_bytes(output)
    assert report.exists(), output.decode(errors="replace")[-3000:]
    result: dict[str, object] = json.loads(report.read_text())
    return result


def failures(report: dict[str, object]) -> set[tuple[str, str]]:
    found = set()
    for failure in report["failures"]:  # type: ignore[attr-defined]
        for operation in failure["operations"]:
            found.add((failure["code"], operation))
    return found


def known(failure: tuple[str, str]) -> bool:
    return any(code == failure[0] and fnmatch(failure[1], op) for code, op in KNOWN)


WHO = ("anonymous", "booker", "owner", "admin")


@pytest.fixture(scope="module")
def seen() -> dict[str, set[tuple[str, str]]]:
    """Each person's run's failures, for the check that KNOWN is still true."""
    return {}


@pytest.mark.parametrize("who", WHO)
async def test_the_api_answers_as_its_document_says(
    system: RunningSystem,
    identities: dict[str, Identity],
    seen: dict[str, set[tuple[str, str]]],
    who: str,
    tmp_path: Path,
) -> None:
    report = await fuzz(system.layout.gateway_url, identities[who], tmp_path)
    seen[who] = found = failures(report)
    print(f"{who}: {report['test_cases']}; failures {sorted(found)}")  # for the run's record

    assert report["operations"]["tested"] > 0  # type: ignore[index]
    assert sorted(f for f in found if not known(f)) == [], f"see {tmp_path / 'output.txt'}"


def test_every_known_failure_still_shows(seen: dict[str, set[tuple[str, str]]]) -> None:
    """KNOWN lists only what is still broken: drop a line once its fix lands."""
    if set(seen) != set(WHO):
        pytest.skip("needs every person's run")
    found = set().union(*seen.values())

    assert [k for k in KNOWN if not any(g[0] == k[0] and fnmatch(g[1], k[1]) for g in found)] == []
