"""Refund decisions: what goes back to the card, and what of the owner's payout comes back.

Before the owner is paid, a refund simply lowers what the payout will be (`money.settle`).
After, the transfer is out: the owner's share of the refunded amount (the refund times the part
of the capture the owner was paid, rounded half up) is taken back with a transfer reversal, and
the platform gives up the rest of it from its fee. So always
`captured = refunds + fee kept + payout - reversals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from payments.domain.money import RefundTooLarge, Settlement, refund_amount, refundable, settle
from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout, PayoutStatus


@dataclass(frozen=True)
class RefundDecision:
    amount_minor: int
    """What goes back to the card; 0: nothing is left to refund."""
    reversal_minor: int
    """What is taken back from the owner's transfer; 0 when the owner was not paid yet."""


def decide_refund(
    requested_minor: int,
    *,
    captured_minor: int,
    refunded_minor: int,
    payout: Payout | None,
    capped: bool,
) -> RefundDecision:
    """A refund of `requested_minor`, given what was refunded (or is being refunded) so far.

    `capped` (booking's policy refunds): more than is left is cut down to what is left.
    Otherwise (an admin's refund) asking for more than is left is `RefundTooLarge`.
    """
    if not capped and requested_minor > refundable(captured_minor, refunded_minor):
        raise RefundTooLarge(
            f"{requested_minor} asked, {refundable(captured_minor, refunded_minor)} refundable"
        )
    amount = refund_amount(requested_minor, captured_minor, refunded_minor)
    return RefundDecision(amount, reversal_for(amount, captured_minor, payout))


def split(payment: Payment, payout: Payout | None) -> Settlement:
    """How a captured payment is split now: `settle`'s split until the owner is paid; after,
    the owner keeps what was transferred less what was reversed, and the platform the rest."""
    before = settle(payment.captured_minor, payment.refunded_minor, payment.fee_minor)
    if payout is None or not _paid(payout):
        return before
    owner_share = payout.amount_minor - payout.reversed_minor
    return Settlement(
        captured_minor=before.captured_minor,
        refunded_minor=before.refunded_minor,
        fee_kept_minor=before.captured_minor - before.refunded_minor - owner_share,
        owner_share_minor=owner_share,
    )


def _paid(payout: Payout) -> bool:
    return payout.status in (PayoutStatus.PAID, PayoutStatus.REVERSED)


def reversal_for(refund_minor: int, captured_minor: int, payout: Payout | None) -> int:
    """The owner's share of a refund made after their payout, never more than is left of it."""
    if payout is None or not _paid(payout) or refund_minor <= 0 or captured_minor <= 0:
        return 0
    share = (Decimal(refund_minor) * payout.amount_minor / captured_minor).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return min(int(share), payout.amount_minor - payout.reversed_minor)
