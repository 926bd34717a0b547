"""Bus subscribers: identity's people and account links, catalog's studios, booking's
bookings, payments' money events."""

from __future__ import annotations

from contracts import Envelope
from contracts.booking import (
    BookingAwaitingOwner,
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingMoveDeclined,
    BookingMoveProposed,
    BookingPaymentFailed,
    BookingRequested,
    BookingRescheduled,
    MessagePosted,
)
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from contracts.identity import (
    EmailVerificationRequested,
    PasswordResetRequested,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from contracts.payments import DisputeOpened, PaymentCaptured, PaymentFailed, PayoutPaid
from notifications.db.unit import SqlNotificationsUnit
from notifications.domain.read_models import Person
from notifications.service import account_emails, booking_emails, money_emails, read_model
from notifications.service.writing import Writing
from service_runtime.consumer import MessageHandlers
from service_runtime.unit_of_work import UnitOfWork


def message_handlers(writing: Writing) -> MessageHandlers:
    """Each handler runs in the consumer's unit of work, once per message id."""
    handlers = MessageHandlers()

    async def on_person(uow: UnitOfWork, event: UserCreated | UserUpdated, _: Envelope) -> None:
        await read_model.save_person(
            SqlNotificationsUnit(uow), Person(event.user_id, event.email, event.name)
        )

    handlers.on(UserCreated)(on_person)
    handlers.on(UserUpdated)(on_person)

    @handlers.on(UserDeleted)
    async def on_user_deleted(uow: UnitOfWork, event: UserDeleted, _: Envelope) -> None:
        await read_model.forget_person(SqlNotificationsUnit(uow), event.user_id)

    async def on_account_link(
        uow: UnitOfWork,
        event: EmailVerificationRequested | PasswordResetRequested,
        envelope: Envelope,
    ) -> None:
        await account_emails.account_link_requested(
            SqlNotificationsUnit(uow), event, envelope, writing
        )

    handlers.on(EmailVerificationRequested)(on_account_link)
    handlers.on(PasswordResetRequested)(on_account_link)

    async def on_studio(uow: UnitOfWork, event: read_model.StudioEvent, _: Envelope) -> None:
        await read_model.save_studio(SqlNotificationsUnit(uow), event)

    handlers.on(StudioPublished)(on_studio)
    handlers.on(StudioUpdated)(on_studio)
    handlers.on(StudioUnlisted)(on_studio)
    handlers.on(StudioSuspended)(on_studio)

    # Bound by the release before, which kept a row per requested booking to tell a failed
    # payment's booker from: BookingPaymentFailed names the booking itself, so a booking costs
    # notifications one delivery and one commit fewer.
    handlers.retire(BookingRequested)
    handlers.retire(PaymentFailed)

    @handlers.on(BookingAwaitingOwner)
    async def on_awaiting(uow: UnitOfWork, event: BookingAwaitingOwner, envelope: Envelope) -> None:
        await booking_emails.awaiting_owner(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(BookingConfirmed)
    async def on_confirmed(uow: UnitOfWork, event: BookingConfirmed, envelope: Envelope) -> None:
        await booking_emails.booking_confirmed(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(BookingMoveProposed)
    async def on_move_proposed(
        uow: UnitOfWork, event: BookingMoveProposed, envelope: Envelope
    ) -> None:
        await booking_emails.move_proposed(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(BookingMoveDeclined)
    async def on_move_declined(
        uow: UnitOfWork, event: BookingMoveDeclined, envelope: Envelope
    ) -> None:
        await booking_emails.move_declined(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(BookingRescheduled)
    async def on_rescheduled(
        uow: UnitOfWork, event: BookingRescheduled, envelope: Envelope
    ) -> None:
        await booking_emails.booking_rescheduled(
            SqlNotificationsUnit(uow), event, envelope, writing
        )

    @handlers.on(BookingCancelled)
    async def on_cancelled(uow: UnitOfWork, event: BookingCancelled, envelope: Envelope) -> None:
        await booking_emails.booking_cancelled(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(BookingFailed)
    async def on_failed(uow: UnitOfWork, event: BookingFailed, envelope: Envelope) -> None:
        await booking_emails.booking_failed(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(BookingPaymentFailed)
    async def on_payment_failed(
        uow: UnitOfWork, event: BookingPaymentFailed, envelope: Envelope
    ) -> None:
        await money_emails.payment_failed(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(PaymentCaptured)
    async def on_captured(uow: UnitOfWork, event: PaymentCaptured, envelope: Envelope) -> None:
        await money_emails.payment_captured(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(PayoutPaid)
    async def on_payout_paid(uow: UnitOfWork, event: PayoutPaid, envelope: Envelope) -> None:
        await money_emails.payout_paid(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(DisputeOpened)
    async def on_dispute(uow: UnitOfWork, event: DisputeOpened, envelope: Envelope) -> None:
        await money_emails.dispute_opened(SqlNotificationsUnit(uow), event, envelope, writing)

    @handlers.on(MessagePosted)
    async def on_message(uow: UnitOfWork, event: MessagePosted, envelope: Envelope) -> None:
        await booking_emails.message_posted(SqlNotificationsUnit(uow), event, envelope, writing)

    return handlers
