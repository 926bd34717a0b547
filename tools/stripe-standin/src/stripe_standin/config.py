"""The stand-in's knobs, from `STRIPE_STANDIN_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything `create_app` needs; tests build their own instead of touching the environment."""

    model_config = SettingsConfigDict(env_prefix="STRIPE_STANDIN_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 12111
    webhook_url: str | None = None
    webhook_secret: str = "whsec_standin"
    webhook_max_attempts: int = 5
    webhook_retry_base_seconds: float = 1.0
    webhook_retry_max_seconds: float = 30.0
    webhook_timeout_seconds: float = 10.0
    webhook_concurrency: int = Field(default=1, ge=1)
    """Deliveries in flight at once. 1 keeps them in order; Stripe itself delivers in parallel,
    in no set order, which a whole system's load needs lest the deliveries queue up here."""
    webhook_delay_seconds: float = Field(default=0, ge=0)
    """How long after its event a webhook's first attempt goes out. Stripe's delivery is not
    instant: a benchmark sets it to measure what a booker waits for when nothing else reads."""
    api_version: str = "2026-10-28.endive"
    publishable_key: str | None = None
    """The one `pk_test_...` the browser script may use; unset: any `pk_test_...` key."""
    cors_allowed_origins: str = "*"
    """Comma-separated origins whose pages may call the stand-in from a browser (`*`: any)."""
