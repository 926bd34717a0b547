"""The saga's shell: load the booking, ask the pure `decide`, save it with its history and the
messages it sends, in the caller's unit of work; a lost race is decided again."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from opentelemetry import trace
from opentelemetry.trace import TracerProvider

from booking.domain.booking import Booking, BookingNotFound
from booking.domain.replies import Reply
from booking.domain.saga import DeadlinePassed, Decision, Happening, SagaRules, decide
from booking.repositories import BookingUnit, BookingUnits, ConcurrentUpdate, HistoryEntry
from contracts import Envelope, Message
from service_runtime.outbox import Outgoing
from service_runtime.tracing import continued_trace, current_traceparent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


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


def history_of(
    before: Booking | None, decision: Decision, source: Source, outgoing: Sequence[Outgoing]
) -> list[HistoryEntry]:
    """The step in the booking's history, and each message it sends (recorded in the history
    too, which is how a reply is later matched to the command it answers)."""
    booking = decision.booking
    entries = [
        HistoryEntry(
            booking_id=booking.id,
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
    ]
    for sent in outgoing:
        envelope = sent.envelope
        entries.append(
            HistoryEntry(
                booking_id=booking.id,
                kind="sent",
                name=envelope.message_type,
                status_after=booking.status.value,
                message_id=envelope.message_id,
                causation_id=envelope.causation_id,
                traceparent=envelope.traceparent,
            )
        )
    return entries


def outgoing_of(unit: BookingUnit, decision: Decision) -> list[Outgoing]:
    """The messages the decision sends, in their envelopes, not recorded yet."""
    correlation_id = str(decision.booking.id)
    return unit.wrap([(message, correlation_id) for message in decision.messages])


async def run_saga(
    unit: BookingUnit,
    booking_id: uuid.UUID,
    happening: Happening,
    source: Source,
    rules: SagaRules,
    now: datetime | None = None,
    *,
    loaded: Booking | None = None,
) -> Booking:
    """Load (unless `loaded` already), decide, save with the version check and the step's
    history in one statement, then record the messages it sends; on a lost race reload and
    decide again (nothing of the lost attempt was written)."""
    booking = loaded
    for _ in range(MAX_ATTEMPTS):
        if booking is None:
            booking = await unit.bookings.get(booking_id)
        if booking is None:
            raise BookingNotFound(booking_id)
        decision = decide(booking, happening, now or unit.now, rules)
        outgoing = outgoing_of(unit, decision)
        history = history_of(booking, decision, source, outgoing)
        saved = booking
        if decision.booking == booking:
            await unit.history.add_all(history)
        else:
            try:
                saved = await unit.bookings.save(decision.booking, booking, history)
            except ConcurrentUpdate:
                log.info("booking %s changed concurrently; deciding again", booking_id)
                booking = None
                continue
        await unit.publish_wrapped(outgoing)
        return saved
    raise ConcurrentUpdate(booking_id)


async def handle_reply(
    unit: BookingUnit, message: Message, envelope: Envelope, rules: SagaRules
) -> Booking | None:
    """A reply from availability or payments, applied to its booking's saga; the booking as
    it stands after it (None for an unknown booking)."""
    booking_id = getattr(message, "booking_id", None)
    if not isinstance(booking_id, uuid.UUID):
        return None
    cause = envelope.causation_id
    answers = None
    if cause is None:
        booking = await unit.bookings.get(booking_id)
    else:  # the booking and the command the reply says it answers, in one round trip
        replied_to = await unit.bookings.replied_to(booking_id, cause)
        booking, answers = replied_to if replied_to else (None, None)
    if booking is None:
        log.warning("%s for unknown booking %s ignored", envelope.message_type, booking_id)
        return None
    reply = Reply(message, answers=answers, caused=cause is not None)
    return await run_saga(
        unit, booking_id, reply, Source.of_envelope(envelope), rules, loaded=booking
    )


async def fire_due_deadline(
    units: BookingUnits,
    rules: SagaRules,
    now: datetime,
    tracer_provider: TracerProvider | None = None,
) -> bool:
    """Fire one due deadline (claimed so replicas never fire the same); False when none is due."""
    tracer = trace.get_tracer("booking.deadlines", tracer_provider=tracer_provider)
    async with units.begin() as unit:
        claimed = await unit.bookings.claim_due(now)
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
            await run_saga(unit, booking_id, DeadlinePassed(), source, rules, now)
    return True
