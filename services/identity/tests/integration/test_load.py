"""Sign-ups in a burst: each gets an account, or a 503 to retry with nothing half-made."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from identity.db.users import users

from ..conftest import Identity, StartIdentity

PASSWORD = "a long enough password"
# These tests need hashes that take time (the other tests' systems hash at the cheapest).
REAL_HASHING = {"password_hash_profile": "RFC_9106_LOW_MEMORY"}


async def _sign_up(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post(
        "/api/auth/sign-up", json={"email": email, "password": PASSWORD, "name": "Burst"}
    )


async def _sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})


async def _burst(client: httpx.AsyncClient, emails: list[str]) -> dict[str, httpx.Response]:
    answers = await asyncio.gather(*(_sign_up(client, email) for email in emails))
    return dict(zip(emails, answers, strict=True))


async def _accounts(identity: Identity, emails: list[str]) -> set[str]:
    async with identity.runtime.database.transaction() as session:
        rows = await session.execute(select(users.c.email).where(users.c.email.in_(emails)))
        return {row.email for row in rows}


def _refused(answers: dict[str, httpx.Response]) -> list[str]:
    assert {answer.status_code for answer in answers.values()} <= {201, 503}
    refused = [email for email, answer in answers.items() if answer.status_code == 503]
    for email in refused:
        assert answers[email].headers["content-type"] == "application/problem+json"
        assert int(answers[email].headers["retry-after"]) >= 1
    return refused


async def test_sign_ups_beyond_the_hashing_queue_are_told_to_retry_and_then_succeed(
    start_identity: StartIdentity,
) -> None:
    emails = [f"burst-{n}@example.com" for n in range(8)]
    async with start_identity(
        password_hashing_concurrency=1, password_hashing_queue=0, **REAL_HASHING
    ) as identity:
        answers = await _burst(identity.client, emails)
        refused = _refused(answers)
        made = await _accounts(identity, emails)
        retried = [await _sign_up(identity.client, email) for email in refused]
        signed_in = [await _sign_in(identity.client, email) for email in emails]

    assert refused  # one hash at a time and none waiting: eight at once cannot all start
    assert made == set(emails) - set(refused)
    assert [answer.status_code for answer in retried] == [201] * len(refused)
    assert [answer.status_code for answer in signed_in] == [200] * len(emails)


async def test_a_sign_up_that_cannot_start_hashing_in_time_is_told_to_retry(
    start_identity: StartIdentity,
) -> None:
    emails = [f"slow-{n}@example.com" for n in range(4)]
    async with start_identity(
        password_hashing_concurrency=1, password_hashing_wait_seconds=0.01, **REAL_HASHING
    ) as identity:
        answers = await _burst(identity.client, emails)
        refused = _refused(answers)
        made = await _accounts(identity, emails)

    # A hash takes far longer than the wait, so those behind the first are refused.
    assert len(refused) >= len(emails) - 1
    assert made == set(emails) - set(refused)


async def test_a_sign_up_sent_again_after_it_took_effect_finds_the_account(
    start_identity: StartIdentity,
) -> None:
    async with start_identity() as identity:
        first = await _sign_up(identity.client, "twice@example.com")
        again = await _sign_up(identity.client, "twice@example.com")
        signed_in = await _sign_in(identity.client, "twice@example.com")

    assert first.status_code == 201
    assert again.status_code == 409  # a client that timed out and retried: it signs in
    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["id"] == first.json()["user"]["id"]
