"""Settings every service shares; each service subclasses them with its own env prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Knobs common to all services, read from the environment with safe local defaults.

    A subclass sets `env_prefix` (e.g. "IDENTITY_") so each service is configured alone.
    """

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime"
    rabbit_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    bus_namespace: str = Field(
        default="onetime",
        description="Prefix of the exchange and queue names; tests use a unique one per run.",
    )
    max_deliveries: int = Field(
        default=5, description="Deliveries of one message before it goes to the dead letters."
    )
    outbox_poll_seconds: float = Field(
        default=2.0, description="Fallback sweep; NOTIFY wakes the relay at once after commit."
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    # Token verification: the identity service's issuer by default, Clerk's when configured.
    auth_issuer: str = "http://127.0.0.1:8001"
    auth_jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    auth_audience: str | None = "onetime"
    auth_role_claim: str = "role"

    @property
    def sync_database_url(self) -> str:
        """The same database, for Alembic and other synchronous callers (psycopg 3 does both)."""
        return self.database_url
