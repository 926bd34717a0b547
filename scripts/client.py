"""What a person does with OneTime Studios, in a call each: sign up, list a studio, book, pay.

Everything goes through the gateway (and to Stripe as the booker's browser would); waiting is
for what the person would see change. Used by `make run`'s demo data, the end-to-end tests and
the booking benchmark.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


@dataclass(frozen=True)
class Account:
    user_id: uuid.UUID
    headers: dict[str, str]


@dataclass(frozen=True)
class Place:
    city: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    currency: str


BERLIN = Place("Berlin", "DE", 52.52, 13.405, "Europe/Berlin", "EUR")


@dataclass(frozen=True)
class Studio:
    id: uuid.UUID
    rooms: list[uuid.UUID]
    owner: Account


async def until(
    check: Callable[[], Awaitable[Any]],
    *,
    timeout: float = 30,
    what: str = "condition",
    every: float = 0.1,
) -> Any:
    """The check's first truthy answer, polling every so often until the timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if result := await check():
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


def whole_hour(days: float, hour: int = 10) -> datetime:
    """A start time `days` from now at a whole hour (UTC), as bookings need."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def soon(hours: int) -> datetime:
    """A start `hours` whole hours after the next whole hour (UTC)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=hours + 1)


def next_minute(at_least_seconds: float = 10) -> datetime:
    """The first whole minute at least that far away: a session that starts during the test,
    which sleeps until then (10-70 s, so the default leaves a test 10 s to book it)."""
    start = datetime.now(UTC) + timedelta(seconds=at_least_seconds + 60)
    return start.replace(second=0, microsecond=0)


class StudiosClient:
    def __init__(self, http: httpx.AsyncClient, gateway: str, stripe: str) -> None:
        self.http = http
        self.gateway = gateway
        self.stripe = stripe

    async def account(self, role: str) -> Account:
        """A new account with this role."""
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        return await self.sign_up_or_in(email, "a long enough password", role)

    async def sign_up_or_in(self, email: str, password: str, role: str) -> Account:
        """The account with this email: signed up now, or signed in when it exists.

        As a careful app would: a 503 is retried after its Retry-After, and a sign-up that got
        no answer in time is sent again; if the first did commit, the second answers 409 and
        the account is signed in to.
        """
        signed_up = await self._auth_call(
            "sign-up", {"email": email, "password": password, "name": f"Demo {role}", "role": role}
        )
        if signed_up.status_code != 201:
            assert signed_up.status_code == 409, signed_up.text
            return await self.sign_in(email, password)
        return self._account(signed_up.json())

    async def sign_in(self, email: str, password: str) -> Account:
        signed_in = await self._auth_call("sign-in", {"email": email, "password": password})
        assert signed_in.status_code == 200, signed_in.text
        return self._account(signed_in.json())

    @staticmethod
    def _account(token: dict[str, Any]) -> Account:
        user_id = uuid.UUID(token["user"]["id"])
        return Account(user_id, {"Authorization": f"Bearer {token['access_token']}"})

    async def _auth_call(
        self, action: str, body: dict[str, str], *, patience_seconds: float = 300
    ) -> httpx.Response:
        """POST to /api/auth/<action>; again after a 503 (when told) or a timeout, for a while."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience_seconds
        while True:
            try:
                response = await self.http.post(f"{self.gateway}/api/auth/{action}", json=body)
            except httpx.TimeoutException:
                if loop.time() > deadline:
                    raise
                continue
            if response.status_code != 503:
                return response  # a 504 too: identity answers in time, or says 503
            assert response.headers["content-type"] == "application/problem+json"
            wait = float(response.headers["retry-after"])  # always told when to come back
            if loop.time() + wait > deadline:
                return response
            await asyncio.sleep(wait + random.random())  # spread out the callers told the same

    async def published_studio(
        self,
        owner: Account,
        *,
        policy: str = "flexible",
        rooms: int = 1,
        price: int = 5000,
        name: str | None = None,
        place: Place = BERLIN,
        opens: str = "00:00",
        closes: str = "00:00",
        details: Mapping[str, Any] | None = None,
    ) -> Studio:
        """A published studio with weekly hours (around the clock by default), known to
        availability and booking. `details`: fields of the studio's body to set (a description,
        the rooms, photos...) in place of a test studio's."""
        catalog = self.gateway
        created = await self.http.post(
            f"{catalog}/api/studios",
            headers=owner.headers,
            json={
                "name": name or f"Test Studio {uuid.uuid4().hex[:6]}",
                "description": "A live room and a control room.",
                "address": "1 Test Street",
                "city": place.city,
                "country": place.country,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "timezone": place.timezone,
                "currency": place.currency,
                "hourly_price_minor": price,
                "minimum_hours": 1,
                "capacity": 5,
                "cancellation_policy": policy,
                "photos": [{"url": "https://images.example.com/a.jpg", "caption": "Live room"}],
                "rooms": [{"name": f"Room {n}", "capacity": 5} for n in range(rooms)],
            }
            | dict(details or {}),
        )
        assert created.status_code == 201, created.text
        studio = created.json()
        published = await self.http.post(
            f"{catalog}/api/studios/{studio['id']}/publish", headers=owner.headers
        )
        assert published.status_code == 200, published.text
        studio_id = uuid.UUID(studio["id"])
        room_ids = [uuid.UUID(room["id"]) for room in studio["rooms"]]
        availability = self.gateway
        await until(
            lambda: self._known_to_availability(studio_id, owner),
            what="availability to learn the studio",
        )
        rules = [{"weekday": day, "opens": opens, "closes": closes} for day in range(7)]
        set_rules = await self.http.put(
            f"{availability}/api/availability/studios/{studio_id}/rules",
            headers=owner.headers,
            json={"rules": rules},
        )
        assert set_rules.status_code == 200, set_rules.text
        settings = await self.http.put(
            f"{availability}/api/availability/studios/{studio_id}/settings",
            headers=owner.headers,
            json={"slot_minutes": 30, "min_notice_minutes": 0, "max_advance_days": 60,
                  "buffer_minutes": 0},
        )  # fmt: skip
        assert settings.status_code == 200, settings.text
        return Studio(studio_id, room_ids, owner)

    async def _known_to_availability(self, studio_id: uuid.UUID, owner: Account) -> bool:
        response = await self.http.get(
            f"{self.gateway}/api/availability/studios/{studio_id}/rules",
            headers=owner.headers,
        )
        return response.status_code == 200

    async def request_booking(
        self, booker: Account, studio: Studio, starts_at: datetime, hours: int = 1, room: int = 0
    ) -> httpx.Response:
        async def attempt() -> httpx.Response | None:
            response = await self.http.post(
                f"{self.gateway}/api/bookings",
                headers=booker.headers,
                json={
                    "studio_id": str(studio.id),
                    "room_id": str(studio.rooms[room]),
                    "starts_at": starts_at.isoformat(),
                    "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
                },
            )
            # Booking learns the studio from catalog's event; until then it says 404/422.
            return (
                None
                if response.status_code in (404, 422) and "studio" in response.text
                else response
            )

        result: httpx.Response = await until(attempt, what="booking to know the studio")
        return result

    async def book(
        self, booker: Account, studio: Studio, starts_at: datetime, hours: int = 1, room: int = 0
    ) -> dict[str, Any]:
        response = await self.request_booking(booker, studio, starts_at, hours, room)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        assert body["status"] == "pending_payment"
        return body

    async def outcome(self, booker: Account, answer: httpx.Response) -> str:
        """What a booking request came to: pending_payment, or refused (409, or failed later)."""
        if answer.status_code == 409:
            return "refused"
        assert answer.status_code in (201, 202), answer.text
        booking_id = answer.json()["id"]

        async def settled() -> str | None:
            status = (await self.booking(booker, booking_id))["status"]
            return None if status == "requested" else status

        status: str = await until(settled, what="the saga's answer")
        return "refused" if status == "failed" else status

    async def pay(self, booking: dict[str, Any], card: str = "pm_card_visa") -> httpx.Response:
        """Confirm the card at Stripe, as Stripe.js would in the booker's browser."""
        intent_id = booking["client_secret"].split("_secret_")[0]
        return await self.http.post(
            f"{self.stripe}/_standin/payment_intents/{intent_id}/confirm",
            data={"payment_method": card, "client_secret": booking["client_secret"]},
        )

    async def card_went_through(self, account: Account, booking: dict[str, Any]) -> httpx.Response:
        """What the booker's page does once Stripe.js says the card went through: payments
        reads the payment at Stripe at once, rather than wait for Stripe's webhook."""
        return await self.http.post(
            f"{self.gateway}/api/payments/bookings/{booking['id']}/card-confirmed",
            headers=account.headers,
        )

    async def booking(self, account: Account, booking_id: str) -> dict[str, Any]:
        response = await self.http.get(
            f"{self.gateway}/api/bookings/{booking_id}", headers=account.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def changed(
        self, account: Account, booking: dict[str, Any], wait_seconds: int = 20
    ) -> dict[str, Any]:
        """The booking once it moves past the version given (a long poll), or as it was."""
        response = await self.http.get(
            f"{self.gateway}/api/bookings/{booking['id']}",
            headers=account.headers
            | {"If-None-Match": f'"{booking["version"]}"', "Prefer": f"wait={wait_seconds}"},
        )
        if response.status_code == 304:
            return booking
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def until_status(
        self, account: Account, booking_id: str, status: str, timeout: float = 30
    ) -> dict[str, Any]:
        async def reached() -> dict[str, Any] | None:
            booking = await self.booking(account, booking_id)
            return booking if booking["status"] == status else None

        result: dict[str, Any] = await until(reached, timeout=timeout, what=f"status {status}")
        return result

    async def onboard_for_payouts(self, owner: Account) -> None:
        """The owner completes Stripe Connect onboarding by following the link."""
        started = await self.http.post(
            f"{self.gateway}/api/payments/owner/onboarding", headers=owner.headers
        )
        assert started.status_code == 200, started.text
        await self.http.get(started.json()["onboarding_url"], follow_redirects=False)

    async def payouts(self, owner: Account) -> list[dict[str, Any]]:
        response = await self.http.get(
            f"{self.gateway}/api/payments/owner/payouts", headers=owner.headers
        )
        assert response.status_code == 200, response.text
        payouts: list[dict[str, Any]] = response.json()
        return payouts

    async def reschedule(
        self, account: Account, booking_id: str, starts_at: datetime, hours: int, room_id: str
    ) -> httpx.Response:
        """Move a confirmed booking; answered once it has moved (200) or could not (409)."""
        return await self.http.patch(
            f"{self.gateway}/api/bookings/{booking_id}",
            headers=account.headers,
            json={
                "action": "reschedule",
                "room_id": room_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
            },
        )

    async def act(self, account: Account, booking_id: str, action: str) -> httpx.Response:
        return await self.http.patch(
            f"{self.gateway}/api/bookings/{booking_id}",
            headers=account.headers,
            json={"action": action},
        )
