"""Stripe as the fast tests see it: a `PaymentProvider` that answers at once, remembers every
call with its idempotency key, and fails the calls a test tells it to."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.provider import (
    AccountSnapshot,
    ProviderEvent,
    RefundResult,
    TransferSnapshot,
)


def intent_ref_of(booking_id: uuid.UUID) -> str:
    """The PaymentIntent the fake creates for a booking (and `service_world` reports on)."""
    return f"pi_{booking_id.hex[:12]}"


@dataclass
class FakeStripe:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(method, arguments) of every call, oldest first."""
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    """Per method, the errors its next calls raise, one each."""
    intents: dict[str, IntentSnapshot] = field(default_factory=dict)
    """What `retrieve_intent` answers (and what a refused capture or cancel re-reads)."""
    events: list[ProviderEvent] = field(default_factory=list)
    accounts: dict[str, AccountSnapshot] = field(default_factory=dict)
    """By idempotency key: the same key creates one account, as Stripe replays its answer."""

    def fail(self, method: str, *errors: Exception) -> None:
        self.failures.setdefault(method, []).extend(errors)

    def made(self, method: str) -> list[dict[str, Any]]:
        return [arguments for name, arguments in self.calls if name == method]

    def _called(self, method: str, **arguments: Any) -> None:
        self.calls.append((method, arguments))
        if self.failures.get(method):
            raise self.failures[method].pop(0)

    async def create_intent(
        self,
        *,
        booking_id: uuid.UUID,
        move_id: uuid.UUID | None = None,
        amount_minor: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> IntentSnapshot:
        self._called(
            "create_intent",
            booking_id=booking_id,
            **({"move_id": move_id} if move_id else {}),
            amount_minor=amount_minor,
            currency=currency,
            description=description,
            idempotency_key=idempotency_key,
        )
        ref = intent_ref_of(move_id or booking_id)
        return IntentSnapshot(
            ref,
            PaymentStatus.PENDING,
            client_secret=f"{ref}_secret",
            booking_id=booking_id,
            move_id=move_id,
        )

    async def retrieve_intent(self, intent_ref: str) -> IntentSnapshot:
        self._called("retrieve_intent", intent_ref=intent_ref)
        return self.intents[intent_ref]

    async def capture(
        self, intent_ref: str, *, amount_minor: int, idempotency_key: str
    ) -> IntentSnapshot:
        self._called(
            "capture",
            intent_ref=intent_ref,
            amount_minor=amount_minor,
            idempotency_key=idempotency_key,
        )
        return IntentSnapshot(
            intent_ref,
            PaymentStatus.CAPTURED,
            amount_received_minor=amount_minor,
            charge_ref=f"ch_{intent_ref}",
        )

    async def cancel(self, intent_ref: str, *, idempotency_key: str) -> IntentSnapshot:
        self._called("cancel", intent_ref=intent_ref, idempotency_key=idempotency_key)
        return IntentSnapshot(intent_ref, PaymentStatus.VOIDED)

    async def refund(
        self, intent_ref: str, *, amount_minor: int, refund_id: uuid.UUID, idempotency_key: str
    ) -> RefundResult:
        self._called(
            "refund",
            intent_ref=intent_ref,
            amount_minor=amount_minor,
            refund_id=refund_id,
            idempotency_key=idempotency_key,
        )
        return RefundResult(f"re_{refund_id.hex[:12]}", amount_minor)

    async def charge_capture_before(self, charge_ref: str) -> datetime | None:
        self._called("charge_capture_before", charge_ref=charge_ref)
        return None

    async def create_account(self, *, owner_id: uuid.UUID, idempotency_key: str) -> AccountSnapshot:
        self._called("create_account", owner_id=owner_id, idempotency_key=idempotency_key)
        ref = f"acct_{len(self.accounts) + 1}"
        return self.accounts.setdefault(idempotency_key, AccountSnapshot(ref, False, owner_id))

    async def onboarding_link(self, account_ref: str, *, idempotency_key: str) -> str:
        self._called("onboarding_link", account_ref=account_ref, idempotency_key=idempotency_key)
        return f"https://connect.stripe.test/setup/{account_ref}"

    async def transfer(
        self,
        *,
        booking_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        destination: str,
        source_charge: str | None,
        idempotency_key: str,
    ) -> TransferSnapshot:
        self._called(
            "transfer",
            booking_id=booking_id,
            amount_minor=amount_minor,
            currency=currency,
            destination=destination,
            source_charge=source_charge,
            idempotency_key=idempotency_key,
        )
        return TransferSnapshot(f"tr_{booking_id.hex[:12]}", amount_minor, 0, currency, booking_id)

    async def reverse_transfer(
        self, transfer_ref: str, *, amount_minor: int | None, idempotency_key: str
    ) -> TransferSnapshot:
        self._called(
            "reverse_transfer",
            transfer_ref=transfer_ref,
            amount_minor=amount_minor,
            idempotency_key=idempotency_key,
        )
        return TransferSnapshot(transfer_ref, 8_500, amount_minor or 8_500, "EUR")

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        raise NotImplementedError("webhooks are tested over HTTP in tests/integration")

    async def undelivered_events_since(
        self, created_gte: int, types: Collection[str]
    ) -> list[ProviderEvent]:
        """`events`, as if no webhook delivered them."""
        self._called("undelivered_events_since", created_gte=created_gte, types=set(types))
        return [e for e in self.events if e.created.timestamp() >= created_gte and e.type in types]
