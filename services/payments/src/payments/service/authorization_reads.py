"""What this process knows of authorizations' deadlines, so that a webhook and the booker's page
do not both read the same one at Stripe: the deadlines it saw committed, and the reads it is
making right now.

Stripe sends its webhook within moments of the card going through, and the booker's page asks
for the same payment to be read (`card_checks`) at much the same time: each read is a request
against our account's rate limit. In-process only: a replica that sees neither reads as ever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import datetime

DEADLINES_REMEMBERED = 10_000
"""Far more authorizations than come in the minutes a webhook may take after the page's read."""


class AuthorizationReads:
    def __init__(self) -> None:
        self._known: dict[str, None] = {}  # oldest first
        self._in_flight: dict[str, asyncio.Future[datetime | None]] = {}

    def known(self, intent_ref: str) -> bool:
        """Whether this process saw the payment committed with its authorization's deadline,
        read at the booker's word: a webhook's event then changes nothing. A deadline, once
        known, stays."""
        return intent_ref in self._known

    def learned(self, intent_ref: str) -> None:
        self._known[intent_ref] = None
        if len(self._known) > DEADLINES_REMEMBERED:
            del self._known[next(iter(self._known))]

    def in_flight(self, intent_ref: str) -> asyncio.Future[datetime | None] | None:
        """The deadline this process is reading at Stripe right now (None when it reads none
        found), to be taken rather than read again."""
        return self._in_flight.get(intent_ref)

    @contextlib.contextmanager
    def reading(self, intent_ref: str) -> Iterator[asyncio.Future[datetime | None]]:
        """Announce a read of the authorization while it lasts; the reader sets the deadline
        it found. A read that fails or is cancelled answers None: no deadline known."""
        read: asyncio.Future[datetime | None] = asyncio.get_running_loop().create_future()
        self._in_flight[intent_ref] = read
        try:
            yield read
        finally:
            if self._in_flight.get(intent_ref) is read:
                del self._in_flight[intent_ref]
            if not read.done():
                read.set_result(None)
