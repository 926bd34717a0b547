"""Identity's settings, read from IDENTITY_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from service_runtime.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_identity"
    http_port: int = 8001
    access_token_ttl_seconds: int = Field(default=900, ge=60)
    clerk_webhook_secret: str | None = Field(
        default=None, description="Svix signing secret (whsec_...) of the Clerk webhook endpoint."
    )
