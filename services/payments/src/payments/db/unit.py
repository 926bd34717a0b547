"""Payments' unit of work on PostgreSQL: the runtime's transaction and outbox, with payments'
repositories on its session. Each repository is the queries of `db/` (their SQL, locks and
on-conflict-do-nothing) bound to the unit's session."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from payments import db
from payments.db.stripe_queues import SqlStripeCalls, SqlStripeEvents
from payments.domain.disputes import Dispute
from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout, PayoutStatus
from payments.repositories import (
    Bookings,
    Disputes,
    IntentToRead,
    OwnerAccount,
    OwnerAccounts,
    Payments,
    Payouts,
    RefundPart,
    Refunds,
    StoredRefund,
)
from payments.stripe_queue_repositories import StripeCalls, StripeEvents
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork


@dataclass
class SqlPayments:
    session: AsyncConnection

    async def add(self, payment: Payment) -> bool:
        return await db.add_payment(self.session, payment)

    async def for_booking(
        self, booking_id: uuid.UUID, move_id: uuid.UUID | None = None, *, lock: bool = True
    ) -> Payment | None:
        return await db.payment_for_booking(self.session, booking_id, move_id, lock=lock)

    async def of_booking(self, booking_id: uuid.UUID, *, lock: bool = True) -> list[Payment]:
        return await db.payments_of_booking(self.session, booking_id, lock=lock)

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        return await db.payment_by_id(self.session, payment_id)

    async def for_intent(self, intent_ref: str) -> Payment | None:
        return await db.payment_for_intent(self.session, intent_ref)

    async def save(self, payment: Payment) -> None:
        await db.save_payment(self.session, payment)

    async def waiting(self, *, older_than: datetime) -> list[IntentToRead]:
        return await db.payments_waiting(self.session, older_than=older_than)

    async def mark_checked(
        self, booking_id: uuid.UUID, booker_id: uuid.UUID, *, not_since: datetime
    ) -> list[IntentToRead]:
        return await db.mark_payments_checked(
            self.session, booking_id, booker_id, not_since=not_since
        )

    async def captured_for_owner(
        self, owner_id: uuid.UUID, since: datetime, until: datetime
    ) -> list[Payment]:
        return await db.payments_captured_for_owner(self.session, owner_id, since, until)


@dataclass
class SqlBookings:
    session: AsyncConnection

    async def lock(self, booking_id: uuid.UUID) -> None:
        await db.lock_booking(self.session, booking_id)

    async def voided(self, booking_id: uuid.UUID, move_id: uuid.UUID | None) -> str | None:
        row = await db.voided_booking(self.session, booking_id, move_id)
        return None if row is None else str(row.reason)

    async def add_voided(
        self, booking_id: uuid.UUID, move_id: uuid.UUID | None, reason: str
    ) -> None:
        await db.add_voided_booking(self.session, booking_id, move_id, reason)


def _refund(row: Any) -> StoredRefund:
    return StoredRefund(
        refund_id=row.refund_id,
        booking_id=row.booking_id,
        requested_minor=row.requested_minor,
        amount_minor=row.amount_minor,
        reason=row.reason,
        status=row.status,
        currency=row.currency,
        note=row.note,
    )


@dataclass
class SqlRefunds:
    session: AsyncConnection

    async def add(
        self,
        *,
        refund_id: uuid.UUID,
        booking_id: uuid.UUID,
        requested_minor: int,
        amount_minor: int,
        reason: str,
        status: str,
        currency: str | None = None,
        note: str | None = None,
    ) -> bool:
        return await db.add_refund(
            self.session,
            refund_id=refund_id,
            booking_id=booking_id,
            requested_minor=requested_minor,
            amount_minor=amount_minor,
            reason=reason,
            status=status,
            currency=currency,
            note=note,
        )

    async def get(self, refund_id: uuid.UUID) -> StoredRefund | None:
        row = await db.refund_row(self.session, refund_id)
        return _refund(row) if row else None

    async def awaiting_capture(self, booking_id: uuid.UUID) -> list[StoredRefund]:
        return [_refund(row) for row in await db.refunds_awaiting_capture(self.session, booking_id)]

    async def settle_request(self, refund_id: uuid.UUID, *, amount_minor: int, status: str) -> None:
        await db.settle_refund_request(
            self.session, refund_id, amount_minor=amount_minor, status=status
        )

    async def finish(self, refund_id: uuid.UUID, status: str) -> None:
        await db.finish_refund(self.session, refund_id, status)

    async def add_part(
        self, refund_id: uuid.UUID, payment_id: uuid.UUID, amount_minor: int
    ) -> None:
        await db.add_refund_part(self.session, refund_id, payment_id, amount_minor)

    async def part(self, refund_id: uuid.UUID, payment_id: uuid.UUID) -> RefundPart | None:
        rows = await db.refund_part_rows(self.session, refund_id, payment_id)
        return _part(rows[0]) if rows else None

    async def parts(self, refund_id: uuid.UUID) -> list[RefundPart]:
        return [_part(row) for row in await db.refund_part_rows(self.session, refund_id)]

    async def finish_part(
        self, refund_id: uuid.UUID, payment_id: uuid.UUID, status: str, refund_ref: str | None
    ) -> None:
        await db.finish_refund_part(self.session, refund_id, payment_id, status, refund_ref)

    async def pending_by_payment(self, booking_id: uuid.UUID) -> dict[uuid.UUID, int]:
        return await db.refund_parts_pending(self.session, booking_id)

    async def succeeded_minor(
        self, booking_id: uuid.UUID, payment_id: uuid.UUID | None = None
    ) -> int:
        return await db.refund_parts_succeeded_minor(self.session, booking_id, payment_id)


def _part(row: Any) -> RefundPart:
    return RefundPart(row.refund_id, row.payment_id, row.amount_minor, row.status)


@dataclass
class SqlPayouts:
    session: AsyncConnection

    async def add(self, payout: Payout) -> bool:
        return await db.add_payout(self.session, payout)

    async def for_booking(self, booking_id: uuid.UUID) -> Payout | None:
        return await db.payout_for_booking(self.session, booking_id)

    async def for_transfer(self, transfer_ref: str) -> Payout | None:
        return await db.payout_for_transfer(self.session, transfer_ref)

    async def save(self, payout: Payout, *, hold: str | None = None) -> None:
        await db.save_payout(self.session, payout, hold=hold)

    async def scheduled_due(self, now: datetime) -> list[Payout]:
        return await db.scheduled_payouts_due(self.session, now)

    async def of_owner(
        self,
        owner_id: uuid.UUID,
        *,
        statuses: Iterable[PayoutStatus] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple[Payout, str | None, list[Payment]]]:
        return await db.payouts_of_owner(
            self.session, owner_id, statuses=statuses, limit=limit, offset=offset
        )

    async def of_bookings(self, booking_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Payout]:
        return await db.payouts_of_bookings(self.session, booking_ids)


@dataclass
class SqlDisputes:
    session: AsyncConnection

    async def add(self, dispute: Dispute) -> bool:
        return await db.add_dispute(self.session, dispute)

    async def by_ref(self, dispute_ref: str) -> Dispute | None:
        return await db.dispute_by_ref(self.session, dispute_ref)

    async def save(self, dispute: Dispute) -> None:
        await db.save_dispute(self.session, dispute)

    async def open_count(self, booking_id: uuid.UUID) -> int:
        return await db.open_disputes(self.session, booking_id)


def _account(row: Any) -> OwnerAccount | None:
    if row is None:
        return None
    return OwnerAccount(row.owner_id, row.account_ref, row.payouts_enabled, row.synced_at)


@dataclass
class SqlOwnerAccounts:
    session: AsyncConnection

    async def of_owner(self, owner_id: uuid.UUID) -> OwnerAccount | None:
        return _account(await db.owner_account(self.session, owner_id))

    async def by_ref(self, account_ref: str) -> OwnerAccount | None:
        return _account(await db.owner_account_by_ref(self.session, account_ref))

    async def add(self, owner_id: uuid.UUID, account_ref: str) -> None:
        await db.add_owner_account(self.session, owner_id, account_ref)

    async def set_payouts_enabled(
        self, account_ref: str, enabled: bool, synced_at: datetime
    ) -> None:
        await db.set_payouts_enabled(self.session, account_ref, enabled, synced_at)


class SqlPaymentsUnit(RepositoryUnit):
    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self.payments: Payments = SqlPayments(uow.session)
        self.bookings: Bookings = SqlBookings(uow.session)
        self.refunds: Refunds = SqlRefunds(uow.session)
        self.payouts: Payouts = SqlPayouts(uow.session)
        self.disputes: Disputes = SqlDisputes(uow.session)
        self.owner_accounts: OwnerAccounts = SqlOwnerAccounts(uow.session)
        self.stripe_calls: StripeCalls = SqlStripeCalls(uow.session)
        self.stripe_events: StripeEvents = SqlStripeEvents(uow.session)


class SqlPaymentsUnits(RepositoryUnits[SqlPaymentsUnit]):
    def unit(self, uow: UnitOfWork) -> SqlPaymentsUnit:
        return SqlPaymentsUnit(uow)
