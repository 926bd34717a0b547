"""The web front end's settings, read from WEB_* environment variables."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from cryptography.fernet import MultiFernet
from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from service_runtime.fernet_keys import FernetKeys, cipher, refuse_development_key
from service_runtime.settings import HttpSettings

DEVELOPMENT_SESSION_KEY = "b25ldGltZS13ZWItZGV2ZWxvcG1lbnQtc2Vzc2lvbiE="
"""Encrypts session cookies on development machines only: it is public, so production refuses it."""


class WebSettings(HttpSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    service_name: str = "web"
    http_port: int = 8006
    environment: Literal["development", "production"] = Field(
        default="development",
        description="production refuses the development session key and needs real ones.",
    )
    api_base_url: str = Field(
        default="http://127.0.0.1:8080",
        description="The public API, through the gateway, as the signed-in person calls it.",
    )
    api_timeout_seconds: float = Field(
        default=10, gt=0, le=120, description="Longest wait for one API answer."
    )
    session_keys: FernetKeys = Field(
        default_factory=list,
        description=(
            "Fernet keys that encrypt the session cookie, comma-separated, newest first: the "
            "first encrypts, any decrypts (rotate: prepend a key, drop the old one once every "
            "session has been rewritten). Empty in development: a built-in development key."
        ),
    )
    session_max_age_seconds: int = Field(
        default=14 * 24 * 3600,
        ge=60,
        le=90 * 24 * 3600,
        description="How long a session cookie is honoured after it was last written.",
    )
    refresh_margin_seconds: int = Field(
        default=60,
        ge=0,
        le=600,
        description="An access token this close to expiry is refreshed before an API call.",
    )
    public_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Origins the pages are served at (https://studios.example), comma-separated; a form"
            " posted from anywhere else is refused. Empty: the host the gateway forwards."
        ),
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Secure cookies: 'auto' when the request came over https (X-Forwarded-Proto).",
    )
    map_tile_url: str | None = Field(
        default=None,
        description=(
            "Leaflet tile URL template ({z}/{x}/{y}); none: the map shows markers on a blank "
            "ground (tests, offline machines)."
        ),
    )
    map_tile_attribution: str = "&copy; OpenStreetMap contributors"
    stripe_js_url: str = Field(
        default="https://js.stripe.com/v3/",
        description="Stripe.js for the checkout's card form (locally: the stand-in's /v3/).",
    )
    stripe_api_origin: str = Field(
        default="https://api.stripe.com",
        description="Where Stripe.js sends the card from the browser (the CSP allows it).",
    )
    stripe_publishable_key: str = Field(
        default="", description="The pk_... key Stripe.js runs with on the checkout page."
    )

    @field_validator("public_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @model_validator(mode="after")
    def _real_keys_in_production(self) -> Self:
        if self.environment == "production":
            refuse_development_key(
                self.session_keys, DEVELOPMENT_SESSION_KEY, setting="WEB_SESSION_KEYS"
            )
        return self

    def session_cipher(self) -> MultiFernet:
        """Encrypts with the newest session key and decrypts with any of them."""
        return cipher(self.session_keys, DEVELOPMENT_SESSION_KEY)
