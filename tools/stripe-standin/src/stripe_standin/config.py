"""The stand-in's knobs, read from `STRIPE_STANDIN_*` environment variables once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs; tests build their own instead of touching the environment."""

    host: str = "127.0.0.1"
    port: int = 12111
    webhook_url: str | None = None
    webhook_secret: str = "whsec_standin"
    webhook_max_attempts: int = 5
    webhook_retry_base_seconds: float = 1.0
    webhook_retry_max_seconds: float = 30.0
    webhook_timeout_seconds: float = 10.0
    api_version: str = "2026-10-28.endive"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `STRIPE_STANDIN_*` variables, defaults for the rest."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            host=env.get("STRIPE_STANDIN_HOST", defaults.host),
            port=int(env.get("STRIPE_STANDIN_PORT", defaults.port)),
            webhook_url=env.get("STRIPE_STANDIN_WEBHOOK_URL") or None,
            webhook_secret=env.get("STRIPE_STANDIN_WEBHOOK_SECRET", defaults.webhook_secret),
            webhook_max_attempts=int(
                env.get("STRIPE_STANDIN_WEBHOOK_MAX_ATTEMPTS", defaults.webhook_max_attempts)
            ),
            webhook_retry_base_seconds=float(
                env.get(
                    "STRIPE_STANDIN_WEBHOOK_RETRY_BASE_SECONDS", defaults.webhook_retry_base_seconds
                )
            ),
            webhook_retry_max_seconds=float(
                env.get(
                    "STRIPE_STANDIN_WEBHOOK_RETRY_MAX_SECONDS", defaults.webhook_retry_max_seconds
                )
            ),
            webhook_timeout_seconds=float(
                env.get("STRIPE_STANDIN_WEBHOOK_TIMEOUT_SECONDS", defaults.webhook_timeout_seconds)
            ),
            api_version=env.get("STRIPE_STANDIN_API_VERSION", defaults.api_version),
        )
