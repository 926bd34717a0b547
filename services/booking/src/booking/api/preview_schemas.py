"""The bodies of the previews: a quote's lines and terms, a cancellation's refund and rule."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from booking.api.schemas import PriceOut, StudioLabels
from booking.domain.booking import Status
from booking.domain.cancellation import CancellationPreview
from booking.domain.policies import (
    GRACE_MIN_NOTICE,
    GRACE_PERIOD,
    REFUND_SCHEDULES,
    RefundRule,
    RuleKind,
)
from contracts.booking import CancelledBy
from contracts.values import CancellationPolicy

HOUR = timedelta(hours=1)


def whole_hours(span: timedelta) -> int:
    return span // HOUR


class RefundStepOut(BaseModel):
    min_notice_hours: int = Field(description="Cancelling at least this long before the start …")
    percent: int = Field(description="… refunds this share of the total (platform fee included).")


class PolicyTermsOut(BaseModel):
    """A cancellation policy's terms, from booking's one refund table."""

    policy: CancellationPolicy
    steps: list[RefundStepOut] = Field(
        description="Longest notice first; the first step whose notice the cancellation meets "
        "applies. Cancelling after the start refunds nothing."
    )
    grace_period_hours: int = Field(
        description="Cancelling within this long after booking refunds in full …"
    )
    grace_min_notice_hours: int = Field(
        description="… when the session starts more than this long after the cancellation."
    )
    by_owner_or_admin_percent: int = Field(description="An owner's or admin's cancellation.")
    full_refund_until: datetime | None = Field(
        description="The last instant the booker's cancellation refunds in full (for a booking "
        "made now, in a quote); None when no such instant is still to come, or in the list of "
        "policies."
    )

    @classmethod
    def of(cls, policy: CancellationPolicy, until: datetime | None) -> PolicyTermsOut:
        return cls(
            policy=policy,
            steps=[
                RefundStepOut(min_notice_hours=whole_hours(step.notice), percent=step.percent)
                for step in REFUND_SCHEDULES[policy]
            ],
            grace_period_hours=whole_hours(GRACE_PERIOD),
            grace_min_notice_hours=whole_hours(GRACE_MIN_NOTICE),
            by_owner_or_admin_percent=100,
            full_refund_until=until,
        )


class QuoteLine(BaseModel):
    kind: Literal["rental", "add_on", "platform_fee"]
    description: str
    quantity: int | None = Field(description="Hours for the rental; how many of an add-on.")
    unit_amount_minor: int | None = Field(
        description="The hourly price for the rental; an add-on's price per hour, booking or item."
    )
    percent: str | None = Field(description="The platform fee's percentage of the subtotal.")
    amount_minor: int


class QuoteOut(StudioLabels):
    """What POST /api/bookings with the same studio, room and times would charge now."""

    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    attendees: int
    lines: list[QuoteLine]
    subtotal_minor: int = Field(description="The rental and add-ons, before the platform fee.")
    total_minor: int
    currency: str
    price: PriceOut = Field(description="The breakdown as the booking will snapshot it.")
    cancellation: PolicyTermsOut
    free: bool | None = Field(
        description="Whether the room can be booked then, as availability answers now (nothing "
        "is held: another booker may take it first); None when availability could not say."
    )
    respond_by: datetime | None = Field(
        description="The studio accepts each booking itself: one made now waits for the owner's "
        "answer until then (declined or unanswered, everything goes back); None books instantly."
    )
    quoted_at: datetime


class RefundRuleOut(BaseModel):
    kind: RuleKind = Field(
        description="by_owner_or_admin (everything back), grace_period (within the grace "
        "period after booking), notice (a step of the schedule), after_start (nothing back)"
    )
    percent: int
    min_notice_hours: int | None = Field(description="The step's notice, for kind notice.")

    @classmethod
    def of(cls, rule: RefundRule) -> RefundRuleOut:
        notice = None if rule.notice is None else whole_hours(rule.notice)
        return cls(kind=rule.kind, percent=rule.percent, min_notice_hours=notice)


class CancellationOut(BaseModel):
    """What the caller's cancellation (PATCH action cancel) would do if sent now."""

    booking_id: uuid.UUID
    status: Status
    at: datetime = Field(description="The instant the preview was computed for.")
    cancelled_by: CancelledBy = Field(description="Who the caller's cancellation is by.")
    cancellable: bool
    refusal: str | None = Field(description="Why it cannot be cancelled now, in words.")
    charged_minor: int = Field(description="Charged or authorized so far: 0 before payment.")
    refund_minor: int = Field(description="What the booker would get back.")
    kept_minor: int = Field(description="What would be kept (paid out to the owner).")
    currency: str
    policy: CancellationPolicy
    rule: RefundRuleOut | None = Field(
        description="The policy's rule that decides the refund; None before the booking is "
        "confirmed (everything charged comes back) or when it cannot be cancelled."
    )
    full_refund_until: datetime | None = Field(
        description="For the booker: the last instant a cancellation refunds in full, if it is "
        "still to come."
    )

    @classmethod
    def of(
        cls, preview: CancellationPreview, status: Status, policy: CancellationPolicy
    ) -> CancellationOut:
        return cls(
            booking_id=preview.booking_id,
            status=status,
            at=preview.at,
            cancelled_by=preview.cancelled_by,
            cancellable=preview.cancellable,
            refusal=preview.refusal,
            charged_minor=preview.charged_minor,
            refund_minor=preview.refund_minor,
            kept_minor=preview.kept_minor,
            currency=preview.currency,
            policy=policy,
            rule=None if preview.rule is None else RefundRuleOut.of(preview.rule),
            full_refund_until=preview.full_refund_until,
        )
