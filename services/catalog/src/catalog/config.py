"""Catalog's settings, read from CATALOG_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from catalog.domain.search import MAX_RADIUS_KM, MIN_RADIUS_KM
from service_runtime.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    service_name: str = "catalog"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_catalog"
    http_port: int = 8002
    default_radius_km: float = Field(
        default=25.0,
        ge=MIN_RADIUS_KM,
        le=MAX_RADIUS_KM,
        description="Search radius when a point is given without radius_km.",
    )
