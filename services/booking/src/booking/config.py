"""Booking's settings, read from BOOKING_* environment variables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from booking.domain.saga import SagaRules
from service_runtime.settings import ServiceSettings


class BookingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKING_", extra="ignore")

    service_name: str = "booking"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_booking"
    http_port: int = 8004
    platform_fee_percent: Decimal = Field(
        default=Decimal("10"), ge=0, le=100, description="The platform's share of the subtotal."
    )
    require_verified_email: bool = Field(
        default=False,
        description="Only people whose token says their email is verified may book (403).",
    )
    hold_wait_seconds: float = Field(
        default=3.0,
        ge=0,
        description="How long POST /api/bookings waits for the saga before answering 202.",
    )
    long_poll_passing_grace_seconds: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="A long poll answers a state the saga passes through on its own (confirming, "
        "or waiting for the hold or the payment intent) only once it lasts this long: the next "
        "state answers instead. 0 answers every change at once.",
    )
    hold_grace_seconds: float = Field(
        default=30, ge=0, description="Slack after a hold expires for an authorization in flight."
    )
    reply_timeout_seconds: float = Field(
        default=120,
        gt=0,
        description="How long the saga waits for the answer to a command before sending it again.",
    )
    max_resends: int = Field(
        default=4,
        ge=0,
        le=100,
        description="How often the saga sends a command again before it compensates and fails.",
    )
    max_messages_per_booking: int = Field(
        default=500, ge=1, le=100_000, description="How many messages one booking's thread holds."
    )
    max_booking_hours: int = Field(
        default=24, ge=1, le=24 * 365, description="The longest booking a studio takes, in hours."
    )
    auto_complete_hours: float | None = Field(
        default=24, description="Complete a confirmed booking this long after its session ended."
    )
    deadline_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the deadline scheduler looks for due bookings."
    )
    request_payment_minutes: float = Field(
        default=10,
        gt=0,
        description="How long the booker of a request has to pay before it lapses (its room is "
        "held for the owner's whole answer window, but not for an unpaid request).",
    )
    availability_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Availability's API, asked (read only) whether a quoted time is free.",
    )
    availability_timeout_seconds: float = Field(
        default=2.0, gt=0, description="How long a quote waits for availability's answer."
    )

    def saga_rules(self) -> SagaRules:
        return SagaRules(
            hold_grace=timedelta(seconds=self.hold_grace_seconds),
            reply_timeout=timedelta(seconds=self.reply_timeout_seconds),
            max_resends=self.max_resends,
            request_payment_window=timedelta(minutes=self.request_payment_minutes),
            auto_complete_after=(
                None
                if self.auto_complete_hours is None
                else timedelta(hours=self.auto_complete_hours)
            ),
        )
