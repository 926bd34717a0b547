"""Clerk's webhooks at the edge: svix signature check and Clerk's user shape mapped to ours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from svix.webhooks import Webhook, WebhookVerificationError

from contracts.identity import Role


class InvalidClerkWebhook(Exception):
    """Bad signature, stale timestamp or unreadable body."""


@dataclass(frozen=True)
class ClerkUserEvent:
    """What identity needs from a Clerk `user.*` event."""

    svix_id: str
    event_type: str
    clerk_user_id: str
    email: str | None
    name: str
    role: Role | None


def verify(secret: str, body: bytes, headers: dict[str, str]) -> ClerkUserEvent:
    """Check the svix signature and timestamp window (5 minutes), then read the event."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError as error:
        raise InvalidClerkWebhook(str(error)) from error
    try:
        return _user_event(headers["svix-id"], json.loads(body))
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidClerkWebhook(f"unreadable Clerk event: {error!r}") from error


def _user_event(svix_id: str, event: dict[str, Any]) -> ClerkUserEvent:
    data = event["data"]
    primary = data.get("primary_email_address_id")
    emails = data.get("email_addresses") or []
    email = next(
        (item["email_address"] for item in emails if item.get("id") == primary),
        emails[0]["email_address"] if emails else None,
    )
    name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    role = (data.get("public_metadata") or {}).get("role")
    return ClerkUserEvent(
        svix_id=svix_id,
        event_type=event["type"],
        clerk_user_id=data["id"],
        email=email,
        name=name or (email or data["id"]),
        role=Role.parse(role),
    )
