"""A person's action on a booking: cancel (booker, owner or admin), complete or no-show (the
studio's owner or an admin)."""

from __future__ import annotations

import uuid

from booking.domain.booking import Booking, NotAllowed
from booking.domain.saga import Cancel, Complete, Happening, MarkNoShow, SagaRules
from booking.repositories import BookingUnits
from booking.service.reads import canceller, is_owner, visible_booking
from booking.service.saga import Source, run_saga
from contracts.identity import Role
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
        booking, studio = await visible_booking(unit, principal, booking_id)
        happening: Happening
        if action == "cancel":
            happening = Cancel(canceller(principal, booking))
        elif not (principal.has_role(Role.ADMIN) or is_owner(principal, booking, studio)):
            raise NotAllowed(f"only the studio's owner or an admin may {action} a booking")
        elif action == "complete":
            happening = Complete()
        else:
            happening = MarkNoShow(reported_by=principal.user_id)
        source = Source(
            kind="action",
            name=action,
            traceparent=current_traceparent(),
            actor_id=str(principal.user_id),
        )
        return await run_saga(unit, booking_id, happening, source, rules)
