"""Payments' pure domain: money arithmetic, the payment state machine, payouts. No I/O."""
