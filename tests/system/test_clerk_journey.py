"""The booking journey with Clerk as the issuer: every service trusts Clerk's session tokens
only, and still knows each person by identity's id.

A system of its own, configured as production would be for Clerk (issuer, JWKS, no audience,
our id in the template's `uid` claim; identity holding Clerk's secret key), with a stand-in
Clerk at the network boundary. Clerk's `user.created` webhooks make the owner and the booker.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from scripts.client import Account, whole_hour
from scripts.system import SERVICE_NAMES
from tests.fixtures.clerk import SECRET_KEY, ClerkStandin, clerk_user_event, signed_headers
from tests.fixtures.infra import RUN_ID
from tests.fixtures.otlp import SpanCollector
from tests.system.conftest import FAST, SECRETS, RunningSystem, running_system
from tests.system.invariants import violations
from tests.system.world import World

# Each service refuses, by the runtime's policy, a token that names no user of ours.
ONE_ROUTE_OF_EACH_SERVICE = (
    "/api/users/me",
    "/api/owner/studios",
    "/api/availability/studios/{studio}/rules",
    "/api/bookings",
    "/api/payments/owner/payouts",
    "/api/notifications/preferences",
)


@pytest.fixture(scope="module")
async def clerk_system(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    span_collector: SpanCollector,
    tmp_path_factory: pytest.TempPathFactory,
    clerk_standin: ClerkStandin,
) -> AsyncIterator[RunningSystem]:
    env = {
        **FAST,
        "IDENTITY_CLERK_SECRET_KEY": SECRET_KEY,
        "IDENTITY_CLERK_API_URL": clerk_standin.api_url,
    }
    for name in SERVICE_NAMES:
        env.update(clerk_standin.auth_env(f"{name.upper()}_"))
    async with running_system(
        make_database,
        rabbit_url,
        span_collector,
        tmp_path_factory.mktemp("clerk"),
        f"test-{RUN_ID}-clerk",
        env,
    ) as running:
        yield running


async def signed_up_at_clerk(world: World, clerk: ClerkStandin, role: str) -> Account:
    """A person who signs up at Clerk: Clerk's webhook reaches identity through the gateway,
    and their next session token carries the id identity gave them."""
    user = clerk.new_user(role)
    body = clerk_user_event("user.created", user.id, f"{user.id}@example.com", role)
    headers = signed_headers(body, secret=SECRETS["IDENTITY_CLERK_WEBHOOK_SECRET"])

    synced = await world.http.post(
        f"{world.gateway}/api/webhooks/clerk", content=body, headers=headers
    )

    assert synced.json() == {"status": "applied"}, synced.text
    assert user.external_id is not None, "identity gave Clerk our id"
    token = clerk.session_token(user.id)
    return Account(uuid.UUID(user.external_id), {"Authorization": f"Bearer {token}"})


async def test_a_booking_made_with_clerk_tokens_names_the_people_identity_knows(
    clerk_system: RunningSystem, clerk_standin: ClerkStandin, http: httpx.AsyncClient
) -> None:
    world = World(http, clerk_system.layout)
    owner = await signed_up_at_clerk(world, clerk_standin, "owner")
    booker = await signed_up_at_clerk(world, clerk_standin, "booker")
    stranger = clerk_standin.new_user("owner")  # at Clerk, but never synced: no uid

    studio = await world.published_studio(owner)
    booking = await world.book(booker, studio, whole_hour(days=3, hour=12))
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")

    unsynced = {"Authorization": f"Bearer {clerk_standin.session_token(stranger.id)}"}
    refused = [
        await http.get(f"{world.gateway}{path.format(studio=studio.id)}", headers=unsynced)
        for path in ONE_ROUTE_OF_EACH_SERVICE
    ]
    seen_by_owner = await world.booking(owner, booking["id"])
    me = [
        (await http.get(f"{world.gateway}/api/users/me", headers=person.headers)).json()
        for person in (owner, booker)
    ]
    assert [response.status_code for response in refused] == [401] * len(refused)
    assert all("has no 'uid' claim" in response.json()["detail"] for response in refused)
    assert seen_by_owner["status"] == "confirmed"
    assert await world.booking_parties(booking["id"]) == (booker.user_id, owner.user_id)
    assert [(person["id"], person["role"]) for person in me] == [
        (str(owner.user_id), "owner"),
        (str(booker.user_id), "booker"),
    ]
    assert await asyncio.to_thread(violations, clerk_system.layout) == []
