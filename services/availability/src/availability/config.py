"""Availability's settings, read from AVAILABILITY_* environment variables."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from availability.domain.holds import HoldLimits
from availability.ics_fetcher import FetchLimits
from service_runtime.settings import ServiceSettings


class AvailabilitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVAILABILITY_", extra="ignore")

    service_name: str = "availability"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_availability"
    http_port: int = 8003
    hold_expiry_minutes: float = Field(
        default=10, gt=0, description="How long a hold keeps a room before it lapses."
    )
    max_request_hold_hours: float = Field(
        default=74,
        gt=0,
        le=24 * 7,
        description="Longest a request to book may hold its room while the owner decides "
        "(HoldSlots' hold_until); catalog lets owners take up to 72 hours to answer.",
    )
    sweeper_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often lapsed holds are released and announced."
    )
    sweeper_batch_size: int = Field(default=200, ge=1)
    free_time_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often studios whose free time changed are published for search; "
        "changes within one interval go out as one message per studio.",
    )
    free_time_batch_size: int = Field(default=100, ge=1, le=10_000)
    max_query_days: int = Field(
        default=62, ge=1, le=366, description="Longest from..to range one query may ask."
    )
    max_slots_per_query: int = Field(
        default=1000, ge=1, description="Most free starts one availability answer lists."
    )
    max_hold_hours: float = Field(
        default=24,
        gt=0,
        le=24 * 31,
        description="Longest range one hold may take (HTTP and HoldSlots alike); booking refuses "
        "longer bookings by its own setting, which should not exceed this one.",
    )
    max_live_holds_per_person: int = Field(
        default=5, ge=1, description="Unexpired holds one person may have over HTTP at once."
    )
    max_holds_per_person_per_minute: int = Field(
        default=20, ge=1, description="Holds one person may place over HTTP in any minute."
    )
    max_blackouts_per_studio: int = Field(
        default=500, ge=1, description="Blackouts one studio may have stored at once."
    )
    max_extra_hours_per_studio: int = Field(
        default=500, ge=1, description="Dates of extra opening hours one studio may have stored."
    )
    max_calendar_feeds_per_studio: int = Field(
        default=20, ge=1, description="Calendar feeds (studio or room) one studio may have."
    )
    max_feed_events: int = Field(
        default=2000, ge=1, description="Most events one calendar feed lists, earliest first."
    )
    feed_cache_seconds: int = Field(
        default=300, ge=0, description="How long calendar apps and proxies may cache a feed."
    )
    max_external_calendars_per_room: int = Field(
        default=5, ge=1, le=50, description="External calendar URLs one room may have."
    )
    external_calendars_interval_seconds: float = Field(
        default=60, gt=0, description="How often due external calendars are looked for."
    )
    external_calendars_refresh_minutes: float = Field(
        default=30, gt=0, description="How long after a fetch an external calendar is due again."
    )
    external_calendars_batch_size: int = Field(default=10, ge=1, le=100)
    external_calendars_horizon_days: int = Field(
        default=180, ge=1, le=730, description="How far ahead recurring events are expanded."
    )
    external_calendars_max_intervals: int = Field(
        default=5000, ge=1, description="Most busy intervals kept per external calendar."
    )
    external_calendars_max_bytes: int = Field(
        default=2_000_000, ge=1, description="Largest ICS body fetched."
    )
    external_calendars_timeout_seconds: float = Field(default=10, gt=0, le=60)
    external_calendars_max_redirects: int = Field(default=3, ge=0, le=10)
    external_calendars_allow_private: bool = Field(
        default=False,
        description="Let the fetcher reach loopback and private addresses (tests only).",
    )

    @property
    def fetch_limits(self) -> FetchLimits:
        return FetchLimits(
            timeout_seconds=self.external_calendars_timeout_seconds,
            max_bytes=self.external_calendars_max_bytes,
            max_redirects=self.external_calendars_max_redirects,
            allow_private=self.external_calendars_allow_private,
        )

    @property
    def hold_limits(self) -> HoldLimits:
        return HoldLimits(
            max_length=timedelta(hours=self.max_hold_hours),
            live_per_person=self.max_live_holds_per_person,
            per_person_per_window=self.max_holds_per_person_per_minute,
        )
