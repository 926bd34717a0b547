"""A person's action on a booking: cancel (booker, owner or admin); accept or decline a request,
complete, or no-show (the studio's owner or an admin)."""

from __future__ import annotations

import uuid

from booking.domain.access import canceller, check_runs_the_session
from booking.domain.booking import Booking
from booking.domain.saga import (
    Accept,
    Cancel,
    Complete,
    Decline,
    Happening,
    MarkNoShow,
    SagaRules,
)
from booking.repositories import BookingUnits
from booking.service.reads import visible_booking
from booking.service.saga import Source, run_saga
from service_runtime.auth import Principal
from service_runtime.tracing import current_traceparent


async def act(
    units: BookingUnits,
    principal: Principal,
    booking_id: uuid.UUID,
    action: str,
    rules: SagaRules,
) -> Booking:
    async with units.begin() as unit:
        _, side = await visible_booking(unit, principal, booking_id)
        happening: Happening
        if action == "cancel":
            happening = Cancel(canceller(side))
        else:
            check_runs_the_session(side, action)
            answers: dict[str, Happening] = {
                "accept": Accept(),
                "decline": Decline(canceller(side)),
                "complete": Complete(),
                "no_show": MarkNoShow(reported_by=principal.user_id),
            }
            happening = answers[action]
        source = Source(
            kind="action",
            name=action,
            traceparent=current_traceparent(),
            actor_id=str(principal.user_id),
        )
        return await run_saga(unit, booking_id, happening, source, rules)
