"""Payments' service layer, one module per trigger: booking's commands, Stripe's events, the
Stripe call runner, payouts, owner accounts and reconciliation."""
