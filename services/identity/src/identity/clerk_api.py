"""Clerk's Backend API, for the one thing identity tells Clerk: a Clerk user's id at OneTime.

Identity sets each synced Clerk user's `external_id` to our user id; Clerk's session token
template copies it into a claim (`"uid": "{{user.external_id}}"`), so every service reads our
id from a Clerk token exactly as from identity's own (see service_runtime.auth).
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import httpx


class ClerkUnavailable(Exception):
    """Clerk's Backend API did not take the change; Clerk retries the webhook that asked for it."""


class ClerkBackend:
    """Calls to Clerk's Backend API with the instance's secret key."""

    def __init__(self, http: httpx.AsyncClient, *, api_url: str, secret_key: str) -> None:
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {secret_key}"}

    async def set_external_id(self, clerk_user_id: str, user_id: uuid.UUID) -> None:
        """Record our user id on the Clerk user (`PATCH /v1/users/{id}`)."""
        url = f"{self._api_url}/users/{quote(clerk_user_id, safe='')}"
        try:
            response = await self._http.patch(
                url, json={"external_id": str(user_id)}, headers=self._headers, timeout=10.0
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise ClerkUnavailable(
                f"Clerk did not record user {clerk_user_id}'s id: {error}"
            ) from error
