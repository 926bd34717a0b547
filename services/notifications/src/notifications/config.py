"""Notifications' settings, read from NOTIFICATIONS_* environment variables."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from notifications.domain.notices import RetryPolicy
from service_runtime.settings import ServiceSettings


class SmtpSecurity(StrEnum):
    NONE = "none"
    """Plain SMTP: only for a local sink."""
    STARTTLS = "starttls"
    """Connect in plain text, then upgrade (usually port 587)."""
    TLS = "tls"
    """TLS from the first byte (usually port 465)."""


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    service_name: str = "notifications"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_notifications"
    http_port: int = 8007
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, description="The local mail sink's port by default.")
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    smtp_keep_open_seconds: float = Field(
        default=30,
        ge=0,
        description="How long a connection to the relay is kept open unused for the next email"
        " (0: one connection per email). Under the relays' own idle limits (60 s and more).",
    )
    mail_sender: str = Field(
        default="OneTime Studios <bookings@onetime.studio>",
        description="The From of every email, and the organizer of calendar invitations.",
    )
    public_web_url: str = Field(
        default="http://127.0.0.1:8080",
        description="The web front end, where the links in emails open (a booking's checkout).",
    )
    send_poll_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How often due emails are looked for without being told: retries falling"
        " due, emails left by a crash. Emails this process records wake the sender.",
    )
    send_linger_seconds: float = Field(
        default=0.2,
        ge=0,
        le=5,
        description="How long the woken sender waits for more emails before its round: under"
        " load one round (one transaction) sends the emails of several bookings.",
    )
    send_batch_size: int = Field(
        default=50, ge=1, le=500, description="Emails one round claims together and sends."
    )
    send_concurrency: int = Field(
        default=4,
        ge=1,
        le=32,
        description="Emails of a round sent at once, each on an SMTP connection of its own (kept"
        " open for the next, up to this many).",
    )
    send_max_attempts: int = Field(
        default=8, ge=1, description="Attempts of one email before it is given up as failed."
    )
    send_first_retry_seconds: float = Field(
        default=30, gt=0, description="Wait after a first failed attempt; it doubles each time."
    )
    send_longest_retry_seconds: float = Field(
        default=3600, gt=0, description="The longest wait between two attempts."
    )
    reminder_offsets_hours: list[float] = Field(
        default=[24, 1],
        description="How long before the start the booker is reminded. JSON in the environment.",
    )
    reminder_poll_seconds: float = Field(
        default=30, gt=0, description="How often due reminders are looked for."
    )

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.send_max_attempts,
            first_wait=timedelta(seconds=self.send_first_retry_seconds),
            longest_wait=timedelta(seconds=self.send_longest_retry_seconds),
        )

    @property
    def reminder_offsets(self) -> list[timedelta]:
        return [timedelta(hours=hours) for hours in self.reminder_offsets_hours]
