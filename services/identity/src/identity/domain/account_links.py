"""Links sent by email that prove a person holds the address: verify an email, reset a password.

A link carries an opaque single-use token of 256 random bits; only its digest is stored, so a
database dump opens no account. A new link of the same kind replaces the older ones unused.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from identity.domain.users import IdentityError

MAX_LINK_TOKEN_LENGTH = 200
"""Ours are 43 characters; anything far longer is refused before it is hashed."""


class LinkPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class InvalidLinkToken(IdentityError):
    """Unknown, used, expired or of another kind: one answer for all, so it tells a guesser
    nothing. Names the field, so a form shows it beside the token."""

    field = "token"

    def __init__(self) -> None:
        super().__init__("This link is not valid (any more): ask for a new one.")


@dataclass(frozen=True)
class StoredLink:
    """What is kept of a link's token: its digest, never the token itself."""

    digest: str
    user_id: uuid.UUID
    purpose: LinkPurpose
    expires_at: datetime
    used_at: datetime | None = None


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def may_use(link: StoredLink | None, purpose: LinkPurpose, now: datetime) -> bool:
    """Whether a presented token opens this kind of link now: known, unused, unexpired."""
    return (
        link is not None
        and link.purpose is purpose
        and link.used_at is None
        and now < link.expires_at
    )
