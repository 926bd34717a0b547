"""A stateful Stripe stand-in for local runs and tests."""
