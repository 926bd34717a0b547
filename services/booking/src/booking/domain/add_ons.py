"""The add-ons a booker chose, checked against what the studio sells and priced for the hours:
the required ones are always on, and none goes past the quantity the studio offers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from booking.domain.pricing import AddOnLine, InvalidBookingRequest
from booking.domain.studios import Studio
from contracts.catalog import AddOnPricing


def add_on_lines(
    studio: Studio, chosen: Mapping[uuid.UUID, int], hours: int
) -> tuple[AddOnLine, ...]:
    """The price lines of the add-ons chosen (id to quantity, 0 for none), in the studio's order."""
    sold = {add_on.add_on_id: add_on for add_on in studio.add_ons}
    for add_on_id, quantity in chosen.items():
        add_on = sold.get(add_on_id)
        if add_on is None:
            raise InvalidBookingRequest(f"this studio sells no add-on {add_on_id}", field="add_ons")
        if quantity > add_on.max_quantity:
            raise InvalidBookingRequest(
                f"{add_on.name} is sold up to {add_on.max_quantity}: the quantity is {quantity}",
                field="add_ons",
            )
    lines = []
    for add_on in studio.add_ons:
        quantity = chosen.get(add_on.add_on_id, 0)
        if add_on.required:
            quantity = max(quantity, 1)
        if quantity == 0:
            continue
        per_booking = hours if add_on.pricing is AddOnPricing.PER_HOUR else 1
        lines.append(
            AddOnLine(
                add_on_id=add_on.add_on_id,
                name=add_on.name,
                pricing=add_on.pricing,
                unit_price_minor=add_on.price_minor,
                quantity=quantity,
                amount_minor=add_on.price_minor * quantity * per_booking,
            )
        )
    return tuple(lines)
