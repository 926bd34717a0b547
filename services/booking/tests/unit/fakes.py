"""In-memory repositories behind booking's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: versions checked on save, the highest
studio revision kept, one booking per Idempotency-Key, the history in order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from booking.domain.booking import ENDED, HAPPENED, LIVE, Booking, View
from booking.domain.studios import Studio
from booking.repositories import (
    BookingQuery,
    Bookings,
    BookingStamp,
    BookingUnit,
    BookingView,
    Chat,
    ChatMessage,
    ConcurrentUpdate,
    History,
    HistoryEntry,
    IdempotencyKeys,
    Studios,
)
from contracts import Envelope, Message
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork
from service_runtime.outbox import Outgoing


@dataclass
class BookingTables:
    """Booking's database, in memory."""

    bookings: dict[uuid.UUID, Booking] = field(default_factory=dict)
    studios: dict[uuid.UUID, Studio] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    chat: list[ChatMessage] = field(default_factory=list)
    idempotency_keys: dict[tuple[str, str], tuple[uuid.UUID, str]] = field(default_factory=dict)


class FakeBookings:
    def __init__(self, uow: FakeUnitOfWork[BookingTables]) -> None:
        self._uow = uow

    @property
    def _rows(self) -> dict[uuid.UUID, Booking]:
        return self._uow.state.bookings

    async def get(self, booking_id: uuid.UUID) -> Booking | None:
        return self._rows.get(booking_id)

    async def replied_to(
        self, booking_id: uuid.UUID, command_id: uuid.UUID
    ) -> tuple[Booking, str | None] | None:
        booking = self._rows.get(booking_id)
        if booking is None:
            return None
        sent = (
            entry.name
            for entry in self._uow.state.history
            if (entry.booking_id, entry.kind, entry.message_id) == (booking_id, "sent", command_id)
        )
        return booking, next(sent, None)

    async def viewed(self, booking_id: uuid.UUID) -> BookingView | None:
        booking = self._rows.get(booking_id)
        if booking is None:
            return None
        history = [entry for entry in self._uow.state.history if entry.booking_id == booking_id]
        return BookingView(booking, self._uow.state.studios.get(booking.studio_id), history)

    async def stamp(self, booking_id: uuid.UUID) -> BookingStamp | None:
        booking = self._rows.get(booking_id)
        if booking is None:
            return None
        studio = self._uow.state.studios.get(booking.studio_id)
        return BookingStamp(
            booking.version,
            booking.booker_id,
            booking.owner_id,
            studio.owner_id if studio else None,
        )

    async def add(
        self,
        booking: Booking,
        *,
        traceparent: str | None,
        history: Sequence[HistoryEntry] = (),
    ) -> Booking:
        added = replace(booking, version=1)
        self._rows[booking.id] = added
        await FakeHistory(self._uow).add_all(list(history))
        return added

    async def save(
        self, booking: Booking, loaded: Booking, history: Sequence[HistoryEntry] = ()
    ) -> Booking:
        stored = self._rows.get(booking.id)
        if stored is None or stored.version != loaded.version:
            raise ConcurrentUpdate(booking.id)
        saved = replace(booking, version=loaded.version + 1)
        self._rows[booking.id] = saved
        await FakeHistory(self._uow).add_all(list(history))
        return saved

    async def claim_due(self, now: datetime) -> tuple[uuid.UUID, str | None] | None:
        due = [b for b in self._rows.values() if b.deadline_at is not None and b.deadline_at <= now]
        if not due:
            return None
        return min(due, key=lambda b: b.deadline_at or now).id, None

    async def page(self, query: BookingQuery) -> tuple[list[Booking], int]:
        studios = self._uow.state.studios
        owned = {s.studio_id for s in studios.values() if s.owner_id == query.owner_id}
        matches = [
            b
            for b in self._rows.values()
            if (query.everyone and query.booker_id is None and query.owner_id is None)
            or b.booker_id == query.booker_id
            or b.studio_id in owned
        ]
        if query.statuses:
            matches = [b for b in matches if b.status in query.statuses]
        if query.view is not None:
            assert query.now is not None
            matches = [b for b in matches if _in_view(b, query.view, query.now)]
        latest_first = query.view in (View.PAST, View.CANCELLED)
        matches.sort(key=lambda b: (b.starts_at, b.id), reverse=latest_first)
        return matches[query.offset : query.offset + query.limit], len(matches)

    async def upcoming_live(self, studio_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        return [
            b.id
            for b in self._rows.values()
            if b.studio_id == studio_id and b.starts_at > now and b.status in LIVE
        ]


def _in_view(booking: Booking, view: View, now: datetime) -> bool:
    if view is View.UPCOMING:
        return booking.status in LIVE and booking.ends_at > now
    if view is View.PAST:
        return booking.status not in ENDED and (
            booking.status in HAPPENED or booking.ends_at <= now
        )
    return booking.status in ENDED


class FakeStudios:
    def __init__(self, uow: FakeUnitOfWork[BookingTables]) -> None:
        self._rows = uow.state.studios

    async def upsert(self, studio: Studio) -> bool:
        stored = self._rows.get(studio.studio_id)
        if stored is not None and stored.revision >= studio.revision:
            return False
        self._rows[studio.studio_id] = studio
        return True

    async def get(self, studio_id: uuid.UUID) -> Studio | None:
        return self._rows.get(studio_id)

    async def get_many(self, studio_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Studio]:
        return {i: self._rows[i] for i in set(studio_ids) if i in self._rows}


class FakeHistory:
    def __init__(self, uow: FakeUnitOfWork[BookingTables]) -> None:
        self._uow = uow

    async def add(self, entry: HistoryEntry) -> None:
        await self.add_all([entry])

    async def add_all(self, entries: list[HistoryEntry]) -> None:
        self._uow.state.history.extend(replace(e, occurred_at=self._uow.now) for e in entries)

    async def of_booking(self, booking_id: uuid.UUID) -> list[HistoryEntry]:
        return [entry for entry in self._uow.state.history if entry.booking_id == booking_id]


class FakeChat:
    def __init__(self, uow: FakeUnitOfWork[BookingTables]) -> None:
        self._rows = uow.state.chat

    async def add(self, message: ChatMessage) -> None:
        self._rows.append(message)

    async def count(self, booking_id: uuid.UUID) -> int:
        return len([m for m in self._rows if m.booking_id == booking_id])

    async def page(self, booking_id: uuid.UUID, *, limit: int, offset: int) -> list[ChatMessage]:
        return [m for m in self._rows if m.booking_id == booking_id][offset : offset + limit]


class FakeIdempotencyKeys:
    def __init__(self, uow: FakeUnitOfWork[BookingTables]) -> None:
        self._rows = uow.state.idempotency_keys

    async def claim(
        self, *, user_id: str, key: str, request_hash: str, booking_id: uuid.UUID
    ) -> tuple[uuid.UUID, str]:
        return self._rows.setdefault((user_id, key), (booking_id, request_hash))


class FakeBookingUnit:
    def __init__(self, uow: FakeUnitOfWork[BookingTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.bookings: Bookings = FakeBookings(uow)
        self.studios: Studios = FakeStudios(uow)
        self.history: History = FakeHistory(uow)
        self.chat: Chat = FakeChat(uow)
        self.idempotency_keys: IdempotencyKeys = FakeIdempotencyKeys(uow)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)

    def wrap(self, messages: Sequence[tuple[Message, str]]) -> list[Outgoing]:
        return self._uow.wrap(messages)

    async def publish_wrapped(self, outgoing: Sequence[Outgoing]) -> list[Envelope]:
        return await self._uow.publish_wrapped(outgoing)


class FakeBookingUnits:
    """Booking's units of work over in-memory tables: `tables` is what committed, `outbox`
    what committed units published (`outbox.messages(Kind)`)."""

    def __init__(self, tables: BookingTables | None = None, *, clock: Clock = utc_now) -> None:
        self.outbox = FakeUnitsOfWork(tables or BookingTables(), clock=clock)

    @property
    def clock(self) -> Clock:
        return self.outbox.clock

    @property
    def tables(self) -> BookingTables:
        return self.outbox.state

    @asynccontextmanager
    async def begin(self, *, causation_id: uuid.UUID | None = None) -> AsyncIterator[BookingUnit]:
        async with self.outbox.begin(causation_id=causation_id) as uow:
            yield FakeBookingUnit(uow)

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[BookingUnit]:
        async with self.outbox.one_statement() as uow:
            yield FakeBookingUnit(uow)
