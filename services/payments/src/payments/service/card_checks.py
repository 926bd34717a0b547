"""The booker's page says the card went through: read the booking's waiting payments at Stripe
now, rather than wait for Stripe's webhook, whose delivery time is Stripe's to choose.

The webhook stays the source of truth; this read is what reconciliation would do after its
grace, done at once for one booking. The caller can cause nothing but reads, and only of their
own booking's payments that still wait for the card, each at most once per
`card_check_interval_seconds` (Stripe limits our account's request rate, not the caller's).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from payments.provider import ProviderUnavailable
from payments.repositories import PaymentsUnits
from payments.service.context import Context
from payments.service.reconciliation import reread_intent

log = logging.getLogger(__name__)


class NoPaymentOfYours(LookupError):
    """The booking has no payment of this booker (or does not exist)."""


async def check_card(
    units: PaymentsUnits, ctx: Context, booking_id: uuid.UUID, booker_id: uuid.UUID
) -> int:
    """How many of the booking's payments were read at Stripe: none when none waits for the
    card, each was read moments ago, or a webhook here is reading it right now. A Stripe
    outage is logged and left to the webhook."""
    interval = timedelta(seconds=ctx.settings.card_check_interval_seconds)
    async with units.one_statement() as uow:
        due = await uow.payments.mark_checked(booking_id, booker_id, not_since=uow.now - interval)
        # Nothing to read: say whether that is because the booking is none of theirs.
        if not due and not any(
            payment.booker_id == booker_id
            for payment in await uow.payments.of_booking(booking_id, lock=False)
        ):
            raise NoPaymentOfYours(f"booking {booking_id} has no payment of yours")
    read = 0
    for intent in due:
        try:
            read += await reread_intent(units, ctx, intent)
        except ProviderUnavailable:
            log.warning("%s not read: Stripe unavailable", intent.intent_ref, exc_info=True)
    return read
