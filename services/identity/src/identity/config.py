"""Identity's settings, read from IDENTITY_* environment variables."""

from __future__ import annotations

from typing import Literal, Self

import httpx
from cryptography.fernet import MultiFernet
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from identity.clerk_api import ClerkBackend
from identity.passwords import PasswordHashing, Profile, password_hashing
from service_runtime.fernet_keys import FernetKeys, cipher, refuse_development_key
from service_runtime.settings import ServiceSettings

DEVELOPMENT_KEY_ENCRYPTION_KEY = "b25ldGltZS1kZXZlbG9wbWVudC1vbmx5LWtlay12MSE="
"""Encrypts signing keys on development machines only: it is public, so production refuses it."""


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/onetime_identity"
    http_port: int = 8001
    environment: Literal["development", "production"] = Field(
        default="development",
        description="production refuses the development key-encryption key and needs real ones,"
        " and the CHEAPEST password hashing.",
    )
    access_token_ttl_seconds: int = Field(default=900, ge=60)
    refresh_token_ttl_seconds: int = Field(
        default=30 * 24 * 3600,
        ge=60,
        le=366 * 24 * 3600,
        description="How long a refresh token lasts unused: a person idle longer signs in again.",
    )
    refresh_family_ttl_seconds: int = Field(
        default=90 * 24 * 3600,
        ge=60,
        le=5 * 366 * 24 * 3600,
        description=(
            "How long one sign-in lasts however often it is refreshed (the absolute lifetime "
            "of a refresh token family): then the person signs in again."
        ),
    )
    password_hashing_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Password hashes (sign-up, sign-in) run at once; about one per core.",
    )
    password_hashing_queue: int = Field(
        default=64,
        ge=0,
        le=10_000,
        description="Hashes that may wait for one of those; more are answered 503 Retry-After.",
    )
    password_hashing_wait_seconds: float = Field(
        default=10,
        gt=0,
        le=30,
        description="Longest wait for a hash to start, then 503 Retry-After: far below the"
        " gateway's read timeout (60 s), so a sign-up answers rather than times out.",
    )
    password_hash_profile: Profile = Field(
        default="RFC_9106_LOW_MEMORY",
        description="Argon2id's parameters for new password hashes (argon2-cffi's profiles):"
        " about 0.15 s of CPU a hash by default. CHEAPEST (microseconds) is for test systems,"
        " which sign up hundreds of people.",
    )
    public_web_url: str = Field(
        default="http://127.0.0.1:8080",
        description="The web front end: the links sent by email (verify, reset) open there.",
    )
    email_verification_ttl_seconds: int = Field(
        default=48 * 3600,
        ge=60,
        le=30 * 24 * 3600,
        description="How long a verification link works.",
    )
    password_reset_ttl_seconds: int = Field(
        default=3600, ge=60, le=24 * 3600, description="How long a password reset link works."
    )
    account_link_cooldown_seconds: int = Field(
        default=60,
        ge=0,
        le=3600,
        description="A new link of the same kind is sent at most this often per person.",
    )
    clerk_webhook_secret: str | None = Field(
        default=None, description="Svix signing secret (whsec_...) of the Clerk webhook endpoint."
    )
    clerk_secret_key: str | None = Field(
        default=None,
        description=(
            "Clerk's secret key (sk_...): identity gives each synced Clerk user our id as its"
            " external_id through Clerk's Backend API. Needed when Clerk issues the tokens."
        ),
    )
    clerk_api_url: str = Field(
        default="https://api.clerk.com/v1", description="Clerk's Backend API (a stand-in in tests)."
    )
    key_encryption_keys: FernetKeys = Field(
        default_factory=list,
        description=(
            "Fernet keys that encrypt the signing keys at rest, comma-separated, newest first: "
            "the first encrypts, any decrypts (rotate: prepend a key, run `reencrypt-keys`, "
            "then drop the old one). Empty in development: a built-in development key."
        ),
    )

    @model_validator(mode="after")
    def _real_keys_in_production(self) -> Self:
        if self.environment == "production":
            refuse_development_key(
                self.key_encryption_keys,
                DEVELOPMENT_KEY_ENCRYPTION_KEY,
                setting="IDENTITY_KEY_ENCRYPTION_KEYS",
            )
            if self.password_hash_profile == "CHEAPEST":
                raise ValueError("production refuses IDENTITY_PASSWORD_HASH_PROFILE=CHEAPEST")
        return self

    def password_hashing(self) -> PasswordHashing:
        """This process's password hashing, as configured."""
        return password_hashing(
            self.password_hashing_concurrency,
            self.password_hashing_queue,
            self.password_hashing_wait_seconds,
            self.password_hash_profile,
        )

    def clerk_backend(self, http: httpx.AsyncClient) -> ClerkBackend | None:
        """Clerk's Backend API as configured; None without a secret key."""
        if not self.clerk_secret_key:
            return None
        return ClerkBackend(http, api_url=self.clerk_api_url, secret_key=self.clerk_secret_key)

    def key_cipher(self) -> MultiFernet:
        """Encrypts with the newest key-encryption key and decrypts with any of them."""
        return cipher(self.key_encryption_keys, DEVELOPMENT_KEY_ENCRYPTION_KEY)
