"""A stateful Stripe stand-in for local runs and tests."""

from stripe_standin.app import create_app
from stripe_standin.config import Settings

__all__ = ["Settings", "create_app"]
