"""Bus subscribers, thin: catalog's studio events feed the read model; replies drive the saga."""

from __future__ import annotations

from functools import partial

from booking.changes import BookingWatcher
from booking.db.tables import user_access
from booking.db.unit import SqlBookingUnit
from booking.domain.saga import SAGA_REPLIES, SagaRules
from booking.service.saga import handle_reply
from booking.service.studio_events import apply_studio_event
from contracts import Envelope, Message
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from service_runtime.consumer import MessageHandlers
from service_runtime.trust import follow_access_changes
from service_runtime.unit_of_work import UnitOfWork

STUDIO_EVENTS = (StudioPublished, StudioUpdated, StudioUnlisted, StudioSuspended)


def message_handlers(rules: SagaRules, changes: BookingWatcher) -> MessageHandlers:
    """The booking a reply leaves is handed to the process's waiters (`changes`) once its step
    commits: they take it rather than read it again."""
    handlers = follow_access_changes(MessageHandlers(), user_access)

    async def on_studio_event(uow: UnitOfWork, event: StudioPublished, envelope: Envelope) -> None:
        await apply_studio_event(SqlBookingUnit(uow), event, envelope, rules)

    async def on_reply(uow: UnitOfWork, message: Message, envelope: Envelope) -> None:
        booking = await handle_reply(SqlBookingUnit(uow), message, envelope, rules)
        if booking is not None:
            changes.committing(booking)
            uow.after_commit(partial(changes.handed, booking))
            uow.after_rollback(partial(changes.abandoned, booking))

    for studio_event in STUDIO_EVENTS:  # all carry the whole studio, like StudioPublished
        handlers.on(studio_event)(on_studio_event)  # type: ignore[arg-type]
    for reply in SAGA_REPLIES:
        handlers.on(reply)(on_reply)
    return handlers
