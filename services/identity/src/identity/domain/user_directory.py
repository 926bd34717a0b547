"""The admins' list of users: newest first, searched by email or name, a page at a time."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from identity.domain.users import IdentityError, User

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 200
MAX_CURSOR_LENGTH = 200


class InvalidUserQuery(IdentityError):
    """A list request that cannot be answered as asked (the message names the parameter)."""


@dataclass(frozen=True)
class ListedUser:
    user: User
    created_at: datetime


@dataclass(frozen=True)
class UserCursor:
    """Where the previous page ended: its last user's creation time and id."""

    created_at: datetime
    last_id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), str(self.last_id)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> UserCursor:
        """The cursor a token holds; InvalidUserQuery when `encode` did not make it."""
        try:
            padded = token + "=" * (-len(token) % 4)
            created_at, last_id = json.loads(base64.urlsafe_b64decode(padded))
            at = datetime.fromisoformat(created_at)
            if at.tzinfo is None:
                raise ValueError(created_at)
            return cls(at, uuid.UUID(last_id))
        except (ValueError, TypeError, AttributeError, binascii.Error) as error:
            raise InvalidUserQuery("cursor: not a cursor this list returned") from error


def page_of(found: list[ListedUser], limit: int) -> tuple[list[ListedUser], UserCursor | None]:
    """The first `limit` users found (up to one more is asked for), and where the next page
    starts when there is one."""
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], UserCursor(last.created_at, last.user.id)
