"""Trust follows changes at once, across the system: an admin demoted at identity loses admin
power at booking and catalog as soon as identity's event arrives, old token and all."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import httpx

from scripts.client import Account, until
from tests.system.conftest import RunningSystem
from tests.system.world import World

PASSWORD = "an admin password"


async def admin_account(world: World, email: str) -> Account:
    """An admin made as operators make one (`python -m identity create-admin`), signed in."""
    await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "identity",
            "create-admin",
            "--email",
            email,
            "--password",
            PASSWORD,
        ],
        env=world.layout.service_env("identity"),
        check=True,
        capture_output=True,
    )
    return await world.sign_up_or_in(email, PASSWORD, "booker")


async def admin_reads(world: World, account: Account) -> dict[str, int]:
    """What booking and catalog answer this account on admin-only routes (of nothing: 404)."""
    gateway, nothing = world.layout.gateway_url, uuid.uuid4()
    timeline = await world.http.get(
        f"{gateway}/api/admin/bookings/{nothing}/timeline", headers=account.headers
    )
    restore = await world.http.post(
        f"{gateway}/api/studios/{nothing}/restore", headers=account.headers
    )
    return {"booking": timeline.status_code, "catalog": restore.status_code}


async def test_a_demoted_admins_old_token_is_refused_by_booking_and_catalog(
    system: RunningSystem, http: httpx.AsyncClient
) -> None:
    world = World(http, system.layout)
    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    root = await admin_account(world, f"root-{uuid.uuid4().hex[:10]}@example.com")
    demoted = await admin_account(world, email)
    before = await admin_reads(world, demoted)

    changed = await http.put(
        f"{world.layout.gateway_url}/api/admin/users/{demoted.user_id}/role",
        json={"role": "booker"},
        headers=root.headers,
    )

    async def old_token_refused() -> dict[str, int] | None:
        answers = await admin_reads(world, demoted)
        return answers if set(answers.values()) == {401} else None

    assert before == {"booking": 404, "catalog": 404}
    assert changed.status_code == 200
    await until(old_token_refused, timeout=15, what="the old admin token refused everywhere")
    signed_in_again = await world.sign_up_or_in(email, PASSWORD, "booker")
    assert await admin_reads(world, signed_in_again) == {"booking": 403, "catalog": 403}
