"""Booking's use cases: each runs in one unit of work, asks the domain, saves, records messages."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import TracerProvider

from booking import db
from booking.domain.booking import Booking, BookingNotFound, IllegalTransition, NotAllowed, Status
from booking.domain.cancellation import CancellationPreview, preview_cancellation
from booking.domain.pricing import InvalidBookingRequest, PriceBreakdown, price_booking
from booking.domain.replies import Reply
from booking.domain.saga import (
    Cancel,
    Complete,
    DeadlinePassed,
    Decision,
    Happening,
    MarkNoShow,
    SagaRules,
    decide,
    start,
)
from booking.domain.studios import Room, Studio, StudioUnknown, refuse_own_studio
from contracts import Envelope, Message
from contracts.booking import (
    MESSAGE_EXCERPT_LENGTH,
    CancellationReason,
    CancelledBy,
    MessagePosted,
)
from contracts.catalog import StudioPublished, StudioSuspended
from contracts.identity import Role
from service_runtime.auth import Principal
from service_runtime.tracing import continued_trace, current_traceparent
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before with a different request."""


class TooManyMessages(Exception):
    """The booking's conversation reached its bound."""


class Party(StrEnum):
    """Which side of a booking the caller lists their bookings as."""

    BOOKER = "booker"
    OWNER = "owner"


@dataclass(frozen=True)
class BookingRequest:
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime

    def fingerprint(self) -> str:
        canonical = json.dumps(
            {
                "studio_id": str(self.studio_id),
                "room_id": str(self.room_id),
                "starts_at": self.starts_at.astimezone(UTC).isoformat(),
                "ends_at": self.ends_at.astimezone(UTC).isoformat(),
            },
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Source:
    """Where a saga step came from, for the booking's history and the admin timeline."""

    kind: str  # received, action, timer
    name: str
    message_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    traceparent: str | None = None
    actor_id: str | None = None

    @classmethod
    def of_envelope(cls, envelope: Envelope) -> Source:
        return cls(
            kind="received",
            name=envelope.message_type,
            message_id=envelope.message_id,
            causation_id=envelope.causation_id,
            traceparent=envelope.traceparent or current_traceparent(),
        )


def _now() -> datetime:
    return datetime.now(UTC)


# --- the saga's shell -------------------------------------------------------------------


async def _record(
    uow: UnitOfWork, before: Booking | None, decision: Decision, source: Source
) -> None:
    booking = decision.booking
    await db.add_history(
        uow.session,
        booking.id,
        kind="ignored" if decision.ignored else source.kind,
        name=source.name,
        status_before=before.status.value if before else None,
        status_after=booking.status.value,
        note=decision.note,
        message_id=source.message_id,
        causation_id=source.causation_id,
        traceparent=source.traceparent,
        actor_id=source.actor_id,
    )
    for message in decision.messages:
        envelope = await uow.publish(message, correlation_id=str(booking.id))
        await db.add_history(
            uow.session,
            booking.id,
            kind="sent",
            name=envelope.message_type,
            status_after=booking.status.value,
            message_id=envelope.message_id,
            causation_id=envelope.causation_id,
            traceparent=envelope.traceparent,
        )


async def run_saga(
    uow: UnitOfWork,
    booking_id: uuid.UUID,
    happening: Happening,
    source: Source,
    rules: SagaRules,
    now: datetime | None = None,
) -> Booking:
    """Load, decide, save with the version check; on a lost race reload and decide again."""
    for _ in range(MAX_ATTEMPTS):
        booking = await db.booking_by_id(uow.session, booking_id)
        if booking is None:
            raise BookingNotFound(booking_id)
        decision = decide(booking, happening, now or _now(), rules)
        saved = booking
        if decision.booking != booking:
            try:
                saved = await db.save_booking(uow.session, decision.booking)
            except db.ConcurrentUpdate:
                log.info("booking %s changed concurrently; deciding again", booking_id)
                continue
        await _record(uow, booking, decision, source)
        return saved
    raise db.ConcurrentUpdate(booking_id)


async def handle_reply(
    uow: UnitOfWork, message: Message, envelope: Envelope, rules: SagaRules
) -> None:
    """A reply from availability or payments, applied to its booking's saga."""
    booking_id = getattr(message, "booking_id", None)
    if not isinstance(booking_id, uuid.UUID):
        return
    cause = envelope.causation_id
    answers = None if cause is None else await db.sent_command_type(uow.session, booking_id, cause)
    reply = Reply(message, answers=answers, caused=cause is not None)
    try:
        await run_saga(uow, booking_id, reply, Source.of_envelope(envelope), rules)
    except BookingNotFound:
        log.warning("%s for unknown booking %s ignored", envelope.message_type, booking_id)


async def fire_due_deadline(
    units: UnitsOfWork,
    rules: SagaRules,
    now: datetime,
    tracer_provider: TracerProvider | None = None,
) -> bool:
    """Fire one due deadline (claimed so replicas never fire the same); False when none is due."""
    tracer = trace.get_tracer("booking.deadlines", tracer_provider=tracer_provider)
    async with units.begin() as uow:
        claimed = await db.claim_due_booking(uow.session, now)
        if claimed is None:
            return False
        booking_id, traceparent = claimed
        # The timer's step hangs in the booking's own trace, like every other step.
        with (
            continued_trace(traceparent),
            tracer.start_as_current_span(
                "booking deadline", attributes={"booking.id": str(booking_id)}
            ),
        ):
            source = Source(kind="timer", name="deadline_passed", traceparent=current_traceparent())
            await run_saga(uow, booking_id, DeadlinePassed(), source, rules, now)
    return True


# --- the read model of studios ----------------------------------------------------------


async def apply_studio_event(
    uow: UnitOfWork, event: StudioPublished, envelope: Envelope, rules: SagaRules
) -> bool:
    """Keep the highest revision of a studio; older or repeated events change nothing.

    A suspension carries through to the studio's bookings still to come: each is cancelled
    with a full refund, the booker told why (studio_unavailable).
    """
    studio = Studio(
        studio_id=event.studio_id,
        revision=event.revision,
        owner_id=event.owner_id,
        name=event.name,
        timezone=event.timezone,
        currency=event.currency,
        hourly_price_minor=event.hourly_price_minor,
        minimum_hours=event.minimum_hours,
        cancellation_policy=event.cancellation_policy,
        status=event.status,
        rooms=tuple(Room(room.room_id, room.hourly_price_minor, room.name) for room in event.rooms),
    )
    applied = await db.upsert_studio(uow.session, studio)
    if applied and isinstance(event, StudioSuspended):
        await _cancel_upcoming_bookings(uow, event, envelope, rules)
    return applied


async def _cancel_upcoming_bookings(
    uow: UnitOfWork, event: StudioSuspended, envelope: Envelope, rules: SagaRules
) -> None:
    now = _now()
    cancel = Cancel(CancelledBy.ADMIN, CancellationReason.STUDIO_UNAVAILABLE)
    source = replace(
        Source.of_envelope(envelope),
        actor_id=str(event.suspended_by) if event.suspended_by else None,
    )
    for booking_id in await db.upcoming_live_bookings(uow.session, event.studio_id, now):
        try:
            await run_saga(uow, booking_id, cancel, source, rules, now)
        except IllegalTransition:
            log.info("booking %s ended before the suspension reached it", booking_id)


# --- requesting a booking ---------------------------------------------------------------


async def _bookable_studio(uow: UnitOfWork, studio_id: uuid.UUID) -> Studio:
    studio = await db.studio_by_id(uow.session, studio_id)
    if studio is None:
        raise StudioUnknown(f"studio {studio_id} is not known")
    return studio


def _price(
    studio: Studio,
    request: BookingRequest,
    now: datetime,
    platform_fee_percent: Decimal,
    max_hours: int,
) -> PriceBreakdown:
    """The one pricing of a request: the quote shows it, the booking snapshots it."""
    if request.starts_at <= now:
        raise InvalidBookingRequest("a booking must start in the future", field="starts_at")
    return price_booking(
        hourly_price_minor=studio.hourly_price_of(request.room_id),
        currency=studio.currency,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        minimum_hours=studio.minimum_hours,
        maximum_hours=max_hours,
        platform_fee_percent=platform_fee_percent,
    )


@dataclass(frozen=True)
class Quote:
    """What a booking of `request` would cost if made now, and the studio it is for."""

    studio: Studio
    price: PriceBreakdown
    quoted_at: datetime


async def quote_booking(
    units: UnitsOfWork,
    request: BookingRequest,
    *,
    platform_fee_percent: Decimal,
    max_hours: int,
) -> Quote:
    """Price a request as `request_booking` would, without booking anything."""
    now = _now()
    async with units.begin() as uow:
        studio = await _bookable_studio(uow, request.studio_id)
    price = _price(studio, request, now, platform_fee_percent, max_hours)
    return Quote(studio=studio, price=price, quoted_at=now)


async def request_booking(
    units: UnitsOfWork,
    *,
    principal: Principal,
    request: BookingRequest,
    idempotency_key: str | None,
    platform_fee_percent: Decimal,
    max_hours: int,
    rules: SagaRules,
) -> Booking:
    """Price the booking, snapshot price and policy, and start the saga (HoldSlots)."""
    booking_id = uuid.uuid4()
    async with units.begin() as uow:
        if idempotency_key is not None:
            first_id, first_hash = await db.claim_idempotency_key(
                uow.session,
                user_id=str(principal.user_id),
                key=idempotency_key,
                request_hash=request.fingerprint(),
                booking_id=booking_id,
            )
            if first_hash != request.fingerprint():
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used for a different booking request"
                )
            if first_id != booking_id:
                existing = await db.booking_by_id(uow.session, first_id)
                assert existing is not None
                return existing
        now = _now()
        studio = await _bookable_studio(uow, request.studio_id)
        refuse_own_studio(studio, principal.user_id)
        price = _price(studio, request, now, platform_fee_percent, max_hours)
        booking = Booking(
            id=booking_id,
            booker_id=principal.user_id,
            owner_id=studio.owner_id,
            studio_id=studio.studio_id,
            room_id=request.room_id,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            price=price,
            cancellation_policy=studio.cancellation_policy,
            requested_at=now,
        )
        decision = start(booking, rules)
        traceparent = current_traceparent()
        added = await db.add_booking(uow.session, decision.booking, traceparent=traceparent)
        source = Source(
            kind="action",
            name="request",
            traceparent=traceparent,
            actor_id=str(principal.user_id),
        )
        await _record(uow, None, decision, source)
    return added


def answered(booking: Booking) -> bool:
    """Whether the saga has an answer for the booker: a client secret to pay with, or a no."""
    if booking.status is Status.REQUESTED:
        return False
    return not (booking.status is Status.PENDING_PAYMENT and booking.client_secret is None)


# --- reading and acting -----------------------------------------------------------------


def _is_owner(principal: Principal, booking: Booking, studio_owner: uuid.UUID | None) -> bool:
    me = principal.user_id
    return me in (booking.owner_id, studio_owner)


async def _visible_booking(uow: UnitOfWork, principal: Principal, booking_id: uuid.UUID) -> Booking:
    booking = await db.booking_by_id(uow.session, booking_id)
    if booking is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    if principal.has_role(Role.ADMIN) or principal.user_id == booking.booker_id:
        return booking
    if _is_owner(principal, booking, await db.studio_owner(uow.session, booking.studio_id)):
        return booking
    raise NotAllowed("only the booker, the studio's owner and admins see this booking")


async def get_booking(
    units: UnitsOfWork, principal: Principal, booking_id: uuid.UUID
) -> tuple[Booking, list[Any], Studio | None]:
    """The booking, its history, and its studio as the read model knows it."""
    async with units.begin() as uow:
        booking = await _visible_booking(uow, principal, booking_id)
        history = await db.history(uow.session, booking_id)
        return booking, history, await db.studio_by_id(uow.session, booking.studio_id)


async def studios_of(units: UnitsOfWork, bookings: list[Booking]) -> dict[uuid.UUID, Studio]:
    """The studios these bookings are of, from the read model (names, rooms, time zone)."""
    async with units.begin() as uow:
        return await db.studios_by_id(uow.session, {booking.studio_id for booking in bookings})


async def cancellation_preview(
    units: UnitsOfWork, principal: Principal, booking_id: uuid.UUID, rules: SagaRules
) -> tuple[CancellationPreview, Booking]:
    """What the caller's cancellation would refund now, by the saga's own cancel step."""
    async with units.begin() as uow:
        booking = await _visible_booking(uow, principal, booking_id)
    return preview_cancellation(booking, _canceller(principal, booking), _now(), rules), booking


async def booking_state(units: UnitsOfWork, booking_id: uuid.UUID) -> Booking:
    async with units.begin() as uow:
        booking = await db.booking_by_id(uow.session, booking_id)
    if booking is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    return booking


async def list_bookings(
    units: UnitsOfWork, principal: Principal, query: db.BookingQuery, party: Party | None
) -> tuple[list[Booking], int, dict[uuid.UUID, Studio]]:
    """Admins see all bookings; others their own and, for owners, their studios' bookings.

    `party` narrows to the caller's own bookings (booker) or their studios' (owner), for
    admins too. Each page comes with the studios its bookings are of.
    """
    me = principal.user_id
    runs_studios = principal.has_role(Role.OWNER, Role.ADMIN)
    if party is Party.BOOKER:
        query = replace(query, booker_id=me, owner_id=None, everyone=False)
    elif party is Party.OWNER:
        query = replace(
            query, booker_id=None, owner_id=me if runs_studios else None, everyone=False
        )
    elif principal.has_role(Role.ADMIN):
        query = replace(query, booker_id=None, owner_id=None, everyone=True)
    else:
        owner = me if principal.has_role(Role.OWNER) else None
        query = replace(query, booker_id=me, owner_id=owner, everyone=False)
    async with units.begin() as uow:
        items, total = await db.list_bookings(uow.session, query)
        studios = await db.studios_by_id(uow.session, {item.studio_id for item in items})
    return items, total, studios


def _canceller(principal: Principal, booking: Booking) -> CancelledBy:
    """Who a cancellation by this caller is by (the caller may see the booking)."""
    if principal.has_role(Role.ADMIN):
        return CancelledBy.ADMIN
    if principal.user_id == booking.booker_id:
        return CancelledBy.BOOKER
    return CancelledBy.OWNER


async def act(
    units: UnitsOfWork,
    principal: Principal,
    booking_id: uuid.UUID,
    action: str,
    rules: SagaRules,
) -> Booking:
    """A person's action on a booking: cancel (booker or owner), complete or no_show (owner)."""
    async with units.begin() as uow:
        booking = await _visible_booking(uow, principal, booking_id)
        studio_owner = await db.studio_owner(uow.session, booking.studio_id)
        is_admin = principal.has_role(Role.ADMIN)
        is_owner = _is_owner(principal, booking, studio_owner)
        happening: Happening
        if action == "cancel":
            happening = Cancel(_canceller(principal, booking))
        elif not (is_admin or is_owner):
            raise NotAllowed(f"only the studio's owner or an admin may {action} a booking")
        elif action == "complete":
            happening = Complete()
        else:
            happening = MarkNoShow(reported_by=principal.user_id)
        source = Source(
            kind="action",
            name=action,
            traceparent=current_traceparent(),
            actor_id=str(principal.user_id),
        )
        return await run_saga(uow, booking_id, happening, source, rules)


# --- messages between booker and owner, and the admin timeline --------------------------


async def messages(
    units: UnitsOfWork, principal: Principal, booking_id: uuid.UUID, *, limit: int, offset: int
) -> list[Any]:
    async with units.begin() as uow:
        await _visible_booking(uow, principal, booking_id)
        return await db.messages_of(uow.session, booking_id, limit=limit, offset=offset)


async def send_message(
    units: UnitsOfWork, principal: Principal, booking_id: uuid.UUID, body: str, *, most: int
) -> Any:
    """Add a message to the booking's conversation, which holds at most `most` messages."""
    async with units.begin() as uow:
        await _visible_booking(uow, principal, booking_id)
        if await db.count_messages(uow.session, booking_id) >= most:
            raise TooManyMessages(f"a booking's conversation holds at most {most} messages")
        row = await db.add_message(
            uow.session,
            id=uuid.uuid4(),
            booking_id=booking_id,
            author_id=principal.user_id,
            author_role=principal.role.value if principal.role else "unknown",
            body=body,
        )
        posted = MessagePosted(
            booking_id=booking_id,
            chat_message_id=row.id,
            author_id=row.author_id,
            excerpt=body[:MESSAGE_EXCERPT_LENGTH],
            posted_at=row.sent_at,
        )
        await uow.publish(posted, correlation_id=str(booking_id))
        await db.add_history(
            uow.session,
            booking_id,
            kind="chat",
            name="message",
            note=f"message {row.id}",
            traceparent=current_traceparent(),
            actor_id=str(principal.user_id),
        )
        return row


async def timeline(units: UnitsOfWork, booking_id: uuid.UUID) -> tuple[Booking, list[Any]]:
    async with units.begin() as uow:
        booking = await db.booking_by_id(uow.session, booking_id)
        if booking is None:
            raise BookingNotFound(f"booking {booking_id} not found")
        return booking, await db.history(uow.session, booking_id)
