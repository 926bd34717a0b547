"""The money rules: platform fee, refunds and the owner's share, in integer minor units.

The fee is the one booking quoted with the price (booking's PLATFORM_FEE_PERCENT, snapshotted
on the booking): all of it on a full capture, pro rata on a partial one, rounded half up to the
minor unit (a 1 500 fee on 10 000, capturing 1 005: 150.75 -> 151). The owner gets what is
left after the fee and refunds; when refunds eat into the fee, the platform gives that part of
its fee back, so always `captured = refunded + fee_kept + owner_share`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


class RefundTooLarge(ValueError):
    """A refund would give back more than was captured and not yet refunded."""


def platform_fee(captured_minor: int, quoted_fee_minor: int, amount_minor: int) -> int:
    """The platform's fee on a captured amount: the quoted fee, pro rata, rounded half up."""
    if not 0 <= captured_minor <= amount_minor:
        raise ValueError("captured amount must be within 0..amount")
    if not 0 <= quoted_fee_minor <= amount_minor:
        raise ValueError("quoted fee must be within 0..amount")
    if amount_minor == 0:
        return 0
    fee = (Decimal(captured_minor) * quoted_fee_minor / amount_minor).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return int(fee)


def refundable(captured_minor: int, refunded_minor: int) -> int:
    """What can still be refunded: never more than was captured, in total."""
    return max(0, captured_minor - refunded_minor)


def refund_amount(requested_minor: int, captured_minor: int, refunded_minor: int) -> int:
    """The part of a requested refund that can be given: capped at what is left."""
    if requested_minor < 0:
        raise ValueError("a refund must not be negative")
    return min(requested_minor, refundable(captured_minor, refunded_minor))


@dataclass(frozen=True)
class Settlement:
    """How a captured payment is split once refunds are taken out."""

    captured_minor: int
    refunded_minor: int
    fee_kept_minor: int
    owner_share_minor: int


def settle(captured_minor: int, refunded_minor: int, fee_minor: int) -> Settlement:
    """Split a capture into refunds, the fee the platform keeps, and the owner's share."""
    if refunded_minor > captured_minor:
        raise RefundTooLarge(f"refunded {refunded_minor} exceeds captured {captured_minor}")
    remaining = captured_minor - refunded_minor
    owner_share = max(0, remaining - fee_minor)
    return Settlement(
        captured_minor=captured_minor,
        refunded_minor=refunded_minor,
        fee_kept_minor=remaining - owner_share,
        owner_share_minor=owner_share,
    )
