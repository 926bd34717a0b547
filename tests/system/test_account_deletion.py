"""A booker with a review and a message deletes their account: every service forgets who they
were, while the studio keeps its review and the owner keeps the booking and its messages."""

from __future__ import annotations

import uuid

import httpx
import pytest

from scripts.client import until, whole_hour
from tests.system.conftest import RunningSystem
from tests.system.test_authorization import completed_bookings
from tests.system.world import World

PASSWORD = "a long enough password"


@pytest.mark.waits_for_session_start
async def test_a_deleted_booker_s_review_stays_by_deleted_user_and_they_cannot_sign_in(
    system: RunningSystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        world = World(http, system.layout)
        gateway = world.gateway
        email = f"leaving-{uuid.uuid4().hex[:10]}@example.com"
        booker = await world.sign_up_or_in(email, PASSWORD, "booker")
        owner = await world.account("owner")
        studio = await world.published_studio(owner, rooms=2)
        reviewed, _ = await completed_bookings(world, booker, studio)
        upcoming = await world.book(booker, studio, whole_hour(days=19))
        messages = f"{gateway}/api/bookings/{upcoming['id']}/messages"
        sent = await http.post(messages, headers=booker.headers, json={"body": "See you"})
        assert sent.status_code == 201, sent.text
        reviews = f"{gateway}/api/studios/{studio.id}/reviews"

        async def review() -> httpx.Response | None:
            body = {"booking_id": reviewed, "rating": 5, "text": "Warm sound"}
            answer = await http.post(reviews, headers=booker.headers, json=body)
            return answer if answer.status_code == 201 else None

        await until(review, what="the review")

        wrong = await http.request(
            "DELETE", f"{gateway}/api/users/me", headers=booker.headers,
            json={"password": "not my password"},
        )  # fmt: skip
        gone = await http.request(
            "DELETE", f"{gateway}/api/users/me", headers=booker.headers,
            json={"password": PASSWORD},
        )  # fmt: skip

        assert wrong.status_code == 403, wrong.text
        assert gone.status_code == 204, gone.text

        async def by_deleted_user() -> list[tuple[str, str]] | None:
            items = (await http.get(reviews)).json()["items"]
            shown = [(item["text"], item["reviewer_name"]) for item in items]
            return shown if shown == [("Warm sound", "deleted user")] else None

        await until(by_deleted_user, what='the review by "deleted user"')
        signed_in = await http.post(
            f"{gateway}/api/auth/sign-in", json={"email": email, "password": PASSWORD}
        )
        assert signed_in.status_code == 401
        # The owner keeps the booking and what was said in it (the law keeps the money).
        kept = await http.get(messages, headers=owner.headers)
        assert kept.status_code == 200, kept.text
        assert "See you" in kept.text
