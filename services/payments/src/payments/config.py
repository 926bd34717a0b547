"""Payments' settings, read from PAYMENTS_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from service_runtime.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENTS_", extra="ignore")

    service_name: str = "payments"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_payments"
    http_port: int = 8005

    stripe_secret_key: str = Field(
        default="sk_test_standin", description="Stripe secret key; any sk_test_ works locally."
    )
    stripe_webhook_secret: str = Field(
        default="whsec_standin", description="Signing secret of the Stripe webhook endpoint."
    )
    stripe_api_base: str | None = Field(
        default="http://127.0.0.1:12111",
        description="Where the Stripe API is; None (empty) means real Stripe.",
    )
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)

    dispute_window_hours: float = Field(
        default=72, ge=0, description="No payout before this long after the session ended."
    )
    authorization_window_days: int = Field(
        default=6,
        ge=1,
        description="How long we trust a card authorization (a safety margin under Stripe's 7).",
    )

    step_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often pending Stripe calls are looked for."
    )
    step_lease_seconds: float = Field(
        default=60, gt=0, description="How long one replica owns a Stripe call before a retry."
    )
    step_max_attempts: int = Field(default=8, ge=1)
    stripe_calls_at_once: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Stripe calls one replica makes at the same time (one booking's one at a"
        " time, in order). Each holds a database connection only to record its result.",
    )
    event_lease_seconds: float = Field(
        default=60, gt=0, description="How long one replica owns a stored Stripe event."
    )
    event_max_attempts: int = Field(
        default=10,
        ge=1,
        description="Failed handlings of a Stripe event before it waits for an operator.",
    )
    reconcile_interval_seconds: float = Field(
        default=60, gt=0, description="How often Stripe is re-read for what webhooks missed."
    )
    authorize_ahead_seconds: float = Field(
        default=2,
        gt=0,
        description="How long booking's AuthorizePayment waits for Stripe to create the"
        " PaymentIntent before its transaction; longer, the call queue creates it after commit.",
    )
    webhook_stripe_read_seconds: float = Field(
        default=2,
        gt=0,
        description="How long a webhook waits for the Stripe read its event needs (an"
        " authorization's deadline) before it answers and leaves the event to be processed after.",
    )
    webhook_grace_seconds: float = Field(
        default=120, ge=0, description="How long a payment may wait for a webhook before a re-read."
    )
    card_check_interval_seconds: float = Field(
        default=2,
        ge=0,
        description="How often a booker's page may have one payment read at Stripe, once"
        " Stripe.js says the card went through (before the webhook comes).",
    )
    reconcile_lookback_seconds: int = Field(
        default=600, ge=0, description="Overlap when re-listing Stripe events since the last run."
    )
    payout_interval_seconds: float = Field(
        default=60, gt=0, description="How often due payouts are looked for."
    )

    connect_country: str = "US"
    onboarding_return_url: str = "http://127.0.0.1:8080/owner/payouts?onboarding=done"
    onboarding_refresh_url: str = "http://127.0.0.1:8080/owner/payouts?onboarding=retry"
