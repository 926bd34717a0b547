"""Bus subscribers: catalog's studio events, the booking saga's commands, and the names
owners' calendar feeds show (identity's users; each booking's booker comes with its HoldSlots)."""

from __future__ import annotations

from datetime import timedelta

from availability import db
from availability.config import AvailabilitySettings
from availability.domain.calendar_feeds import first_name
from availability.service import saga_commands, saga_holds, schedules
from contracts import Envelope
from contracts.availability import ConfirmSlots, DropMoveHold, HoldSlots, ReleaseSlots
from contracts.booking import BookingRequested
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from service_runtime.consumer import MessageHandlers
from service_runtime.trust import follow_access_changes
from service_runtime.unit_of_work import UnitOfWork
from service_runtime.user_names import follow_user_names


def message_handlers(settings: AvailabilitySettings) -> MessageHandlers:
    """Each handler runs in the consumer's unit of work, once per message id."""
    handlers = follow_access_changes(MessageHandlers(), db.user_access)
    # Owners' calendar feeds show bookers by first name only.
    follow_user_names(handlers, db.booker_first_names, first_name)
    hold_for = timedelta(minutes=settings.hold_expiry_minutes)
    longest_request_hold = timedelta(hours=settings.max_request_hold_hours)
    limits = settings.hold_limits

    async def on_studio(uow: UnitOfWork, event: schedules.StudioEvent, _: Envelope) -> None:
        await schedules.apply_studio_event(db.SqlAvailabilityUnit(uow), event)

    handlers.on(StudioPublished)(on_studio)
    handlers.on(StudioUpdated)(on_studio)
    handlers.on(StudioUnlisted)(on_studio)
    handlers.on(StudioSuspended)(on_studio)

    # The booker now comes with HoldSlots: a message and a commit fewer per booking.
    handlers.retire(BookingRequested)

    @handlers.on(HoldSlots)
    async def on_hold(uow: UnitOfWork, command: HoldSlots, _: Envelope) -> None:
        await saga_holds.hold_for_booking(
            db.SqlAvailabilityUnit(uow),
            command,
            hold_for=saga_holds.hold_length(command, hold_for, longest_request_hold, uow.now),
            limits=limits,
            now=uow.now,
        )

    @handlers.on(ConfirmSlots)
    async def on_confirm(uow: UnitOfWork, command: ConfirmSlots, _: Envelope) -> None:
        await saga_commands.confirm(db.SqlAvailabilityUnit(uow), command, now=uow.now)

    @handlers.on(ReleaseSlots)
    async def on_release(uow: UnitOfWork, command: ReleaseSlots, _: Envelope) -> None:
        await saga_commands.release(db.SqlAvailabilityUnit(uow), command, now=uow.now)

    @handlers.on(DropMoveHold)
    async def on_drop_move(uow: UnitOfWork, command: DropMoveHold, _: Envelope) -> None:
        await saga_commands.drop_move(db.SqlAvailabilityUnit(uow), command)

    return handlers
