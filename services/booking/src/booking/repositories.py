"""What booking's use cases need from storage, as Protocols: `db/` implements them on
PostgreSQL, the fast tests with in-memory fakes. A use case sees one `BookingUnit`: the
repositories of one transaction, its clock reading and its outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from booking.domain.booking import Booking, Status, View
from booking.domain.studios import Studio
from contracts import Envelope, Message
from service_runtime.clock import Clock
from service_runtime.outbox import Outgoing


class ConcurrentUpdate(Exception):
    """Another transaction changed the booking since it was loaded."""


@dataclass(frozen=True)
class BookingQuery:
    """Whose bookings, with which status and starting in which range, which page.

    `booker_id` and `owner_id` (bookings of the studios they own) are or-ed; with neither,
    nothing matches unless `everyone` (an admin's list).
    """

    booker_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    everyone: bool = False
    statuses: tuple[Status, ...] = ()
    view: View | None = None
    now: datetime | None = None
    """The instant `view` is judged at (upcoming or past)."""
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class BookingStamp:
    """A booking's version and who may see it: what a long poll looks at while it waits."""

    version: int
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    studio_owner_id: uuid.UUID | None  # the studio's owner now (studios change hands)


@dataclass(frozen=True)
class BookingView:
    """A booking as its parties read it: with its studio (as the read model knows it, None
    when it does not) and its history, oldest first."""

    booking: Booking
    studio: Studio | None
    history: list[HistoryEntry]


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a booking's history: what happened, from where, and what it changed."""

    booking_id: uuid.UUID
    kind: str  # received, sent, action, timer, ignored, chat
    name: str
    status_before: str | None = None
    status_after: str | None = None
    note: str = ""
    message_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    traceparent: str | None = None
    actor_id: str | None = None
    occurred_at: datetime | None = None  # set by the store


@dataclass(frozen=True)
class ChatMessage:
    """A message between the booker and the studio's owner about one booking."""

    id: uuid.UUID
    booking_id: uuid.UUID
    author_id: uuid.UUID
    author_role: str
    body: str
    sent_at: datetime


class Bookings(Protocol):
    async def get(self, booking_id: uuid.UUID) -> Booking | None: ...

    async def replied_to(
        self, booking_id: uuid.UUID, command_id: uuid.UUID
    ) -> tuple[Booking, str | None] | None:
        """The booking, and the type of the command its saga sent with this id (None when it
        sent none), in one statement: what a reply to that command is checked against."""
        ...

    async def viewed(self, booking_id: uuid.UUID) -> BookingView | None:
        """The booking, its studio and its history, read together (one statement)."""
        ...

    async def stamp(self, booking_id: uuid.UUID) -> BookingStamp | None:
        """The booking's version and parties, in one statement."""
        ...

    async def add(
        self,
        booking: Booking,
        *,
        traceparent: str | None,
        history: Sequence[HistoryEntry] = (),
    ) -> Booking:
        """The booking stored at version 1, with the `history` of its making."""
        ...

    async def save(
        self, booking: Booking, loaded: Booking, history: Sequence[HistoryEntry] = ()
    ) -> Booking:
        """`booking`, a change of the booking as `loaded`, stored at the next version with the
        `history` of the change; `ConcurrentUpdate`, and nothing stored, when the stored version
        is no longer the loaded one (another transaction changed it since)."""
        ...

    async def claim_due(self, now: datetime) -> tuple[uuid.UUID, str | None] | None:
        """A booking whose deadline passed (and its traceparent), locked so that no other
        replica fires it too."""
        ...

    async def page(self, query: BookingQuery) -> tuple[list[Booking], int]:
        """A page of the bookings `query` matches, and how many match in all."""
        ...

    async def upcoming_live(self, studio_id: uuid.UUID, now: datetime) -> list[uuid.UUID]: ...


class Studios(Protocol):
    """The read model of catalog's studios."""

    async def upsert(self, studio: Studio) -> bool:
        """Keep the studio's highest revision; False when this one is not newer."""
        ...

    async def get(self, studio_id: uuid.UUID) -> Studio | None: ...

    async def get_many(self, studio_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Studio]: ...


class History(Protocol):
    async def add(self, entry: HistoryEntry) -> None: ...

    async def add_all(self, entries: list[HistoryEntry]) -> None: ...

    async def of_booking(self, booking_id: uuid.UUID) -> list[HistoryEntry]: ...


class Chat(Protocol):
    async def add(self, message: ChatMessage) -> None: ...

    async def count(self, booking_id: uuid.UUID) -> int: ...

    async def page(self, booking_id: uuid.UUID, *, limit: int, offset: int) -> list[ChatMessage]:
        """The booking's messages, the oldest first."""
        ...


class IdempotencyKeys(Protocol):
    async def claim(
        self, *, user_id: str, key: str, request_hash: str, booking_id: uuid.UUID
    ) -> tuple[uuid.UUID, str]:
        """The booking and request hash stored under the key: ours if it was free, else the
        first's."""
        ...


class BookingUnit(Protocol):
    """One transaction of booking: its repositories, its clock reading, its outbox."""

    bookings: Bookings
    studios: Studios
    history: History
    chat: Chat
    idempotency_keys: IdempotencyKeys
    now: datetime

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope: ...

    def wrap(self, messages: Sequence[tuple[Message, str]]) -> list[Outgoing]:
        """Messages in their envelopes, recorded later by `publish_wrapped`."""
        ...

    async def publish_wrapped(self, outgoing: Sequence[Outgoing]) -> list[Envelope]: ...


class BookingUnits(Protocol):
    """Starts booking's units of work; `clock` for a use case that needs no transaction."""

    @property
    def clock(self) -> Clock: ...

    def begin(
        self, *, causation_id: uuid.UUID | None = None
    ) -> AbstractAsyncContextManager[BookingUnit]: ...

    def one_statement(self) -> AbstractAsyncContextManager[BookingUnit]:
        """A unit outside any transaction, for a read of one statement; it publishes nothing."""
        ...
