"""Availability's settings, read from AVAILABILITY_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from service_runtime.settings import ServiceSettings


class AvailabilitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVAILABILITY_", extra="ignore")

    service_name: str = "availability"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_availability"
    http_port: int = 8003
    hold_expiry_minutes: float = Field(
        default=10, gt=0, description="How long a hold keeps a room before it lapses."
    )
    sweeper_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often lapsed holds are released and announced."
    )
    sweeper_batch_size: int = Field(default=200, ge=1)
    max_query_days: int = Field(
        default=62, ge=1, description="Longest from..to range one availability query may ask."
    )
