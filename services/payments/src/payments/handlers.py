"""Booking's commands on the bus: thin, each runs its use case in the message's unit of work."""

from __future__ import annotations

from contracts import Envelope
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    RefundPayment,
    SchedulePayout,
    VoidPayment,
)
from payments import db
from payments.db.unit import SqlPaymentsUnit
from payments.domain.payment_states import IntentSnapshot
from payments.service import booking_commands
from payments.service.context import Context
from service_runtime.consumer import MessageHandlers
from service_runtime.trust import follow_access_changes
from service_runtime.unit_of_work import UnitOfWork


def message_handlers(ctx: Context) -> MessageHandlers:
    handlers = follow_access_changes(MessageHandlers(), db.user_access)

    async def intent_ahead(message: AuthorizePayment, _: Envelope) -> IntentSnapshot | None:
        return await booking_commands.intent_ahead(ctx, message)

    @handlers.on_prepared(AuthorizePayment, intent_ahead)
    async def authorize(
        uow: UnitOfWork, message: AuthorizePayment, _: Envelope, intent: IntentSnapshot | None
    ) -> None:
        await booking_commands.authorize(SqlPaymentsUnit(uow), ctx, message, intent)

    @handlers.on(CapturePayment)
    async def capture(uow: UnitOfWork, message: CapturePayment, _: Envelope) -> None:
        await booking_commands.capture(SqlPaymentsUnit(uow), ctx, message)

    @handlers.on(VoidPayment)
    async def void(uow: UnitOfWork, message: VoidPayment, _: Envelope) -> None:
        await booking_commands.void(SqlPaymentsUnit(uow), ctx, message)

    @handlers.on(RefundPayment)
    async def refund(uow: UnitOfWork, message: RefundPayment, _: Envelope) -> None:
        await booking_commands.refund(SqlPaymentsUnit(uow), ctx, message)

    @handlers.on(SchedulePayout)
    async def schedule_payout(uow: UnitOfWork, message: SchedulePayout, _: Envelope) -> None:
        await booking_commands.schedule_payout(SqlPaymentsUnit(uow), ctx, message)

    return handlers
