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
    hold_wait_seconds: float = Field(
        default=3.0,
        ge=0,
        description="How long POST /api/bookings waits for the saga before answering 202.",
    )
    hold_grace_seconds: float = Field(
        default=30, ge=0, description="Slack after a hold expires for an authorization in flight."
    )
    request_timeout_seconds: float = Field(
        default=600, gt=0, description="How long a booking waits for availability's answer."
    )
    auto_complete_hours: float | None = Field(
        default=24, description="Complete a confirmed booking this long after its session ended."
    )
    deadline_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the deadline scheduler looks for due bookings."
    )

    def saga_rules(self) -> SagaRules:
        return SagaRules(
            hold_grace=timedelta(seconds=self.hold_grace_seconds),
            request_timeout=timedelta(seconds=self.request_timeout_seconds),
            auto_complete_after=(
                None
                if self.auto_complete_hours is None
                else timedelta(hours=self.auto_complete_hours)
            ),
        )
