"""In-memory payouts, disputes and owners' Connect accounts, keeping the SQL's promises: one
payout per booking (its owner and date fixed when scheduled), a dispute recorded once, one
account per owner."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from payments.domain.disputes import Dispute, DisputeStatus
from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout, PayoutStatus
from payments.repositories import OwnerAccount

if TYPE_CHECKING:
    from .fakes import PaymentsTables


class FakePayouts:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(self, payout: Payout) -> bool:
        if payout.booking_id in self._t.payouts:
            return False
        self._t.payouts[payout.booking_id] = payout
        return True

    async def for_booking(self, booking_id: uuid.UUID) -> Payout | None:
        return self._t.payouts.get(booking_id)

    async def for_transfer(self, transfer_ref: str) -> Payout | None:
        found = (p for p in self._t.payouts.values() if p.transfer_ref == transfer_ref)
        return next(found, None)

    async def save(self, payout: Payout, *, hold: str | None = None) -> None:
        if payout.booking_id in self._t.payouts:
            # The owner, booking and date are fixed when scheduled, as the SQL update leaves them.
            kept = self._t.payouts[payout.booking_id]
            self._t.payouts[payout.booking_id] = replace(
                payout, owner_id=kept.owner_id, not_before=kept.not_before
            )
            self._t.payout_holds[payout.booking_id] = hold

    async def scheduled_due(self, now: datetime) -> list[Payout]:
        due = [
            p
            for p in self._t.payouts.values()
            if p.status is PayoutStatus.SCHEDULED and p.not_before <= now
        ]
        return sorted(due, key=lambda p: p.not_before)

    async def of_owner(
        self,
        owner_id: uuid.UUID,
        *,
        statuses: Iterable[PayoutStatus] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple[Payout, str | None, Payment | None]]:
        wanted = set(statuses)
        newest_first = [
            p
            for p in reversed(self._t.payouts.values())
            if p.owner_id == owner_id and (not wanted or p.status in wanted)
        ]
        page = newest_first[offset : None if limit is None else offset + limit]
        return [
            (p, self._t.payout_holds.get(p.booking_id), self._t.of_booking(p.booking_id))
            for p in page
        ]

    async def of_bookings(self, booking_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Payout]:
        return {b: self._t.payouts[b] for b in booking_ids if b in self._t.payouts}


class FakeDisputes:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(self, dispute: Dispute) -> bool:
        if await self.by_ref(dispute.dispute_ref) is not None:
            return False
        self._t.disputes[dispute.id] = dispute
        return True

    async def by_ref(self, dispute_ref: str) -> Dispute | None:
        found = (d for d in self._t.disputes.values() if d.dispute_ref == dispute_ref)
        return next(found, None)

    async def save(self, dispute: Dispute) -> None:
        kept = self._t.disputes[dispute.id]
        self._t.disputes[dispute.id] = replace(kept, status=dispute.status)

    async def open_count(self, booking_id: uuid.UUID) -> int:
        return sum(
            d.booking_id == booking_id and d.status is DisputeStatus.OPEN
            for d in self._t.disputes.values()
        )


class FakeOwnerAccounts:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def of_owner(self, owner_id: uuid.UUID) -> OwnerAccount | None:
        return self._t.owner_accounts.get(owner_id)

    async def by_ref(self, account_ref: str) -> OwnerAccount | None:
        found = (a for a in self._t.owner_accounts.values() if a.account_ref == account_ref)
        return next(found, None)

    async def add(self, owner_id: uuid.UUID, account_ref: str) -> None:
        self._t.owner_accounts.setdefault(
            owner_id, OwnerAccount(owner_id, account_ref, False, None)
        )

    async def set_payouts_enabled(
        self, account_ref: str, enabled: bool, synced_at: datetime
    ) -> None:
        account = await self.by_ref(account_ref)
        if account is not None:
            self._t.owner_accounts[account.owner_id] = replace(
                account, payouts_enabled=enabled, synced_at=synced_at
            )
