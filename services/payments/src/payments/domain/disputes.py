"""Disputes (chargebacks): open until the bank decides; each change announced once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from contracts import Message
from contracts.payments import DisputeClosed, DisputeOpened, DisputeOutcome
from contracts.values import Money


class DisputeStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class Dispute:
    id: uuid.UUID
    dispute_ref: str
    booking_id: uuid.UUID
    payment_id: uuid.UUID
    amount_minor: int
    currency: str
    reason: str
    status: DisputeStatus = DisputeStatus.OPEN
    evidence_due_by: datetime | None = None


@dataclass(frozen=True)
class DisputeSnapshot:
    """What the provider says about a dispute, mapped to our statuses."""

    dispute_ref: str
    intent_ref: str | None
    amount_minor: int
    currency: str
    reason: str
    status: DisputeStatus
    evidence_due_by: datetime | None = None


def opened(dispute: Dispute, now: datetime) -> list[Message]:
    """A new dispute: booking and support hear of it."""
    return [
        DisputeOpened(
            booking_id=dispute.booking_id,
            payment_id=dispute.payment_id,
            dispute_id=dispute.id,
            amount=Money(amount_minor=dispute.amount_minor, currency=dispute.currency),
            reason=dispute.reason,
            evidence_due_by=dispute.evidence_due_by,
            opened_at=now,
        )
    ]


def decided(
    dispute: Dispute, status: DisputeStatus, now: datetime
) -> tuple[Dispute, list[Message]]:
    """The bank decided; a dispute closes once and never reopens."""
    if dispute.status is not DisputeStatus.OPEN or status is DisputeStatus.OPEN:
        return dispute, []
    closed = replace(dispute, status=status)
    outcome = DisputeOutcome.WON if status is DisputeStatus.WON else DisputeOutcome.LOST
    message = DisputeClosed(
        booking_id=dispute.booking_id,
        payment_id=dispute.payment_id,
        dispute_id=dispute.id,
        amount=Money(amount_minor=dispute.amount_minor, currency=dispute.currency),
        outcome=outcome,
        closed_at=now,
    )
    return closed, [message]
