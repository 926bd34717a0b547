"""Clerk's webhooks at the edge: svix signature check and Clerk's user shape mapped to ours.

Everything in a Clerk payload is bounded before it reaches the database: names are cleaned
(control characters dropped, whitespace collapsed, cut to NAME_MAX_LENGTH), while ids and
emails that could not be stored or compared as given are refused.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field, ValidationError
from svix.webhooks import Webhook, WebhookVerificationError

from contracts.identity import Role
from contracts.values import PlainText
from service_runtime.clock import utc_now

NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254

_MAX_MS = 7_258_118_400_000  # 2200-01-01: a later "timestamp" is no time Clerk could send
EpochMillis = Annotated[int, Field(ge=0, le=_MAX_MS, description="ms since the epoch")]
ClerkId = Annotated[PlainText, Field(min_length=1, max_length=100)]


class InvalidClerkWebhook(Exception):
    """Bad signature, stale timestamp or unreadable body."""


class _Verification(BaseModel):
    status: str | None = None


class _EmailAddress(BaseModel):
    id: ClerkId | None = None
    email_address: Annotated[PlainText, Field(max_length=EMAIL_MAX_LENGTH)]
    verification: _Verification | None = None


class _UserData(BaseModel):
    id: ClerkId
    external_id: ClerkId | None = None
    first_name: str | None = None
    last_name: str | None = None
    primary_email_address_id: ClerkId | None = None
    email_addresses: Annotated[list[_EmailAddress], Field(max_length=100)] = []
    public_metadata: dict[str, Any] = {}
    updated_at: EpochMillis | None = None


class _Event(BaseModel):
    type: Annotated[PlainText, Field(max_length=100)]
    timestamp: EpochMillis | None = None
    data: dict[str, Any]


@dataclass(frozen=True)
class ClerkUserEvent:
    """What identity needs from a Clerk `user.*` event."""

    svix_id: str
    event_type: str
    clerk_user_id: str
    external_id: str | None  # our user id, once identity has told Clerk
    email: str | None
    email_verified: bool
    name: str
    role: Role | None
    occurred_at: datetime  # Clerk's time of the event, to apply events in the order they happened


def verify(secret: str, body: bytes, headers: dict[str, str]) -> ClerkUserEvent | None:
    """Check the svix signature and timestamp window (5 minutes), then read the event.

    None for an event of another kind than `user.*`.
    """
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError as error:
        raise InvalidClerkWebhook(str(error)) from error
    try:
        event = _Event.model_validate(json.loads(body))
        if not event.type.startswith("user."):
            return None
        return _user_event(headers["svix-id"], event, _UserData.model_validate(event.data))
    except (KeyError, ValueError) as error:  # pydantic's ValidationError is a ValueError
        raise InvalidClerkWebhook(f"unreadable Clerk event: {_reason(error)}") from error


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
    return repr(error)


def _user_event(svix_id: str, event: _Event, data: _UserData) -> ClerkUserEvent:
    primary = next(
        (item for item in data.email_addresses if item.id == data.primary_email_address_id),
        data.email_addresses[0] if data.email_addresses else None,
    )
    email = _valid_email(primary.email_address) if primary else None
    verified = bool(
        primary
        and primary.id == data.primary_email_address_id
        and primary.verification
        and primary.verification.status == "verified"
    )
    name = clean_name(" ".join(part for part in (data.first_name, data.last_name) if part))
    at = event.timestamp if event.timestamp is not None else data.updated_at
    return ClerkUserEvent(
        svix_id=svix_id,
        event_type=event.type,
        clerk_user_id=data.id,
        external_id=data.external_id,
        email=email,
        email_verified=verified,
        name=name or email or data.id,
        role=Role.parse(data.public_metadata.get("role")),
        occurred_at=datetime.fromtimestamp(at / 1000, UTC) if at is not None else utc_now(),
    )


def _valid_email(address: str) -> str:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"email_addresses: {error}") from error


def clean_name(name: str) -> str:
    """A person's name as we store it: printable, single-spaced, at most NAME_MAX_LENGTH."""
    printable = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join(printable.split())[:NAME_MAX_LENGTH]
