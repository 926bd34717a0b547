"""The client a person uses, plus what only a test may do: read a service's database, ask
Stripe (the stand-in) what it holds, and replay its webhooks."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from typing import Any

import httpx
import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from scripts.client import Account, StudiosClient
from scripts.system import ROOT, SystemLayout
from tests.fixtures.stripe import signed_webhook


class World(StudiosClient):
    def __init__(self, http: httpx.AsyncClient, layout: SystemLayout) -> None:
        super().__init__(http, layout.gateway_url, layout.standin_url)
        self.layout = layout
        self._stripe = {"Authorization": "Bearer sk_test_standin"}

    async def admin(self) -> Account:
        """A new admin, made as operators make them (identity's CLI), signed in."""
        email, password = f"admin-{uuid.uuid4().hex[:10]}@example.com", "a long enough password"
        argv = [sys.executable, "-m", "identity", "create-admin", "--email", email,
                "--password", password]  # fmt: skip
        env = self.layout.service_env("identity")
        await asyncio.to_thread(subprocess.run, argv, env=env, cwd=ROOT, check=True)
        return await self.sign_in(email, password)

    async def payment_row(self, booking_id: str, status: str) -> dict[str, Any] | None:
        """Payments' own record of the booking's payment, once it has that status."""
        rows = await self.payments_of(booking_id)
        return next((row for row in rows if row["status"] == status), None)

    async def payments_voided(self, booking_id: str) -> bool:
        """Whether payments has voided every payment of the booking it has, or remembered a
        void that came before any."""
        rows = await self.payments_of(booking_id)
        if rows:
            return all(row["status"] == "voided" for row in rows)
        return bool(await self._payments_rows("voided_bookings", booking_id))

    async def payments_of(self, booking_id: str) -> list[dict[str, Any]]:
        """Payments' own records of the booking's payments."""
        return await self._payments_rows("payments", booking_id)

    async def _payments_rows(self, table: str, booking_id: str) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            url = self.layout.database_urls["payments"].replace("+psycopg", "")
            with psycopg.connect(url, row_factory=dict_row) as connection:
                query = sql.SQL("SELECT * FROM {} WHERE booking_id = %s").format(
                    sql.Identifier(table)
                )
                return connection.execute(query, (booking_id,)).fetchall()

        return await asyncio.to_thread(read)

    async def stripe_intent(self, intent_id: str) -> dict[str, Any]:
        return await self._stripe_get(f"/v1/payment_intents/{intent_id}")

    async def booking_knows_captured(self, booking_id: str) -> bool:
        """Whether booking has recorded the capture (which bumps the booking's version)."""

        def read() -> bool:
            url = self.layout.database_urls["booking"].replace("+psycopg", "")
            with psycopg.connect(url) as connection:
                row = connection.execute(
                    "SELECT captured_at IS NOT NULL FROM bookings WHERE id = %s", (booking_id,)
                ).fetchone()
                return bool(row and row[0])

        return await asyncio.to_thread(read)

    async def booking_parties(self, booking_id: str) -> tuple[uuid.UUID, uuid.UUID]:
        """The booker and the owner a booking names in booking's own record."""

        def read() -> tuple[uuid.UUID, uuid.UUID]:
            url = self.layout.database_urls["booking"].replace("+psycopg", "")
            with psycopg.connect(url) as connection:
                row = connection.execute(
                    "SELECT booker_id, owner_id FROM bookings WHERE id = %s", (booking_id,)
                ).fetchone()
            assert row is not None, booking_id
            return row[0], row[1]

        return await asyncio.to_thread(read)

    async def _stripe_get(self, path: str, **params: str) -> dict[str, Any]:
        response = await self.http.get(f"{self.stripe}{path}", params=params, headers=self._stripe)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def charge_of(self, booking: dict[str, Any]) -> str:
        intent = await self.stripe_intent(booking["client_secret"].split("_secret_")[0])
        return str(intent["latest_charge"])

    async def events_of(self, booking: dict[str, Any]) -> list[dict[str, Any]]:
        """Stripe's events about the booking's PaymentIntent, oldest first."""
        intent_id = booking["client_secret"].split("_secret_")[0]
        events = (await self._stripe_get("/v1/events", limit="100"))["data"]
        mine = [e for e in events if e["data"]["object"].get("id") == intent_id]
        return sorted(mine, key=lambda event: event["created"])

    async def transfers_for(self, booking_id: str) -> list[dict[str, Any]]:
        events = (await self._stripe_get("/v1/events", type="transfer.created", limit="100"))[
            "data"
        ]
        return [e for e in events if e["data"]["object"].get("transfer_group") == booking_id]

    async def deliver_webhook(self, event: dict[str, Any], secret: str) -> httpx.Response:
        """POST an event to payments' webhook as Stripe would, signed with the given secret."""
        body, headers = signed_webhook(event, secret)
        return await self.http.post(
            f"{self.gateway}/api/webhooks/stripe", content=body, headers=headers
        )
