"""The one place that talks to Stripe, through the official SDK's async client.

Stripe objects never leave this module: every answer is mapped to our own types
(`payments.provider`, snapshots of the domain). Every POST carries the idempotency key the caller
derives from the booking and the step, so a retried call never does the thing twice. The same
code talks to the local stand-in or to real Stripe, depending only on `stripe_api_base`.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import stripe
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from contracts.payments import PaymentFailureReason
from payments.config import PaymentsSettings
from payments.domain.disputes import DisputeSnapshot, DisputeStatus
from payments.domain.payments import CardFailure, IntentSnapshot, PaymentStatus
from payments.provider import (
    AccountSnapshot,
    ChargeSnapshot,
    ForeignApiVersion,
    InvalidWebhook,
    NotAnEvent,
    ProviderEvent,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    TransferSnapshot,
)

PINNED_API_VERSION: str = stripe.api_version
"""The Stripe API version this code is written for: the SDK's own, sent with every call."""

_LAPSED_REASONS = {"expired", "automatic"}
_PENDING = {"requires_payment_method", "requires_confirmation", "requires_action", "processing"}
_FAILURE_REASONS = {
    "card_declined": PaymentFailureReason.CARD_DECLINED,
    "expired_card": PaymentFailureReason.CARD_DECLINED,
    "incorrect_cvc": PaymentFailureReason.CARD_DECLINED,
    "authentication_required": PaymentFailureReason.AUTHENTICATION_FAILED,
    "payment_intent_authentication_failure": PaymentFailureReason.AUTHENTICATION_FAILED,
    "processing_error": PaymentFailureReason.PROCESSING_ERROR,
}


def payment_status_from_stripe(status: str, cancellation_reason: str | None) -> PaymentStatus:
    """Our status for a PaymentIntent's. Stripe cancels a lapsed authorization itself, with
    `cancellation_reason` "expired" since API version 2025-03-31 ("automatic" before)."""
    if status in _PENDING:
        return PaymentStatus.PENDING
    if status == "requires_capture":
        return PaymentStatus.AUTHORIZED
    if status == "succeeded":
        return PaymentStatus.CAPTURED
    if status == "canceled":
        lapsed = cancellation_reason in _LAPSED_REASONS
        return PaymentStatus.EXPIRED if lapsed else PaymentStatus.VOIDED
    raise ValueError(f"unknown PaymentIntent status {status!r}")


def dispute_status_from_stripe(status: str) -> DisputeStatus:
    return {"won": DisputeStatus.WON, "lost": DisputeStatus.LOST}.get(status, DisputeStatus.OPEN)


log = logging.getLogger(__name__)


class StripeGateway:
    """Stripe's API as the payments service uses it."""

    def __init__(self, settings: PaymentsSettings) -> None:
        self._http = stripe.HTTPXClient(timeout=20)
        self._client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
            http_client=self._http,
            max_network_retries=2,
        )
        self._webhook_secret = settings.stripe_webhook_secret
        self._tolerance = settings.stripe_webhook_tolerance_seconds
        self._connect_country = settings.connect_country
        self._return_url = settings.onboarding_return_url
        self._refresh_url = settings.onboarding_refresh_url

    def trace_with(self, tracer_provider: TracerProvider) -> None:
        """Stripe calls belong in the booking's trace like any other outgoing HTTP call."""
        HTTPXClientInstrumentor.instrument_client(
            self._http._client_async, tracer_provider=tracer_provider
        )

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def create_intent(
        self,
        *,
        booking_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> IntentSnapshot:
        params: dict[str, Any] = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "capture_method": "manual",
            "description": description,
            "metadata": {"booking_id": str(booking_id)},
            "transfer_group": str(booking_id),
            "payment_method_types": ["card"],
        }
        async with _mapped_errors():
            intent = await self._client.v1.payment_intents.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        return intent_snapshot(intent.to_dict())

    async def retrieve_intent(self, intent_ref: str) -> IntentSnapshot:
        async with _mapped_errors():
            intent = await self._client.v1.payment_intents.retrieve_async(
                intent_ref, params={"expand": ["latest_charge"]}
            )
        return intent_snapshot(intent.to_dict())

    async def capture(
        self, intent_ref: str, *, amount_minor: int, idempotency_key: str
    ) -> IntentSnapshot:
        async with _mapped_errors():
            intent = await self._client.v1.payment_intents.capture_async(
                intent_ref,
                params={"amount_to_capture": amount_minor},
                options={"idempotency_key": idempotency_key},
            )
        return intent_snapshot(intent.to_dict())

    async def cancel(self, intent_ref: str, *, idempotency_key: str) -> IntentSnapshot:
        async with _mapped_errors():
            intent = await self._client.v1.payment_intents.cancel_async(
                intent_ref, options={"idempotency_key": idempotency_key}
            )
        return intent_snapshot(intent.to_dict())

    async def refund(
        self, intent_ref: str, *, amount_minor: int, refund_id: uuid.UUID, idempotency_key: str
    ) -> RefundResult:
        async with _mapped_errors():
            refund = await self._client.v1.refunds.create_async(
                params={
                    "payment_intent": intent_ref,
                    "amount": amount_minor,
                    "metadata": {"refund_id": str(refund_id)},
                },
                options={"idempotency_key": idempotency_key},
            )
        return RefundResult(refund_ref=refund.id, amount_minor=int(refund.amount))

    async def charge_capture_before(self, charge_ref: str) -> datetime | None:
        async with _mapped_errors():
            charge = await self._client.v1.charges.retrieve_async(charge_ref)
        return _capture_before(charge.to_dict())

    async def create_account(self, *, owner_id: uuid.UUID, idempotency_key: str) -> AccountSnapshot:
        async with _mapped_errors():
            account = await self._client.v1.accounts.create_async(
                params={
                    "type": "express",
                    "country": self._connect_country,
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {"owner_id": str(owner_id)},
                },
                options={"idempotency_key": idempotency_key},
            )
        return account_snapshot(account.to_dict())

    async def onboarding_link(self, account_ref: str, *, idempotency_key: str) -> str:
        async with _mapped_errors():
            link = await self._client.v1.account_links.create_async(
                params={
                    "account": account_ref,
                    "refresh_url": self._refresh_url,
                    "return_url": self._return_url,
                    "type": "account_onboarding",
                },
                options={"idempotency_key": idempotency_key},
            )
        return str(link.url)

    async def transfer(
        self,
        *,
        booking_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        destination: str,
        source_charge: str,
        idempotency_key: str,
    ) -> TransferSnapshot:
        async with _mapped_errors():
            transfer = await self._client.v1.transfers.create_async(
                params={
                    "amount": amount_minor,
                    "currency": currency.lower(),
                    "destination": destination,
                    "source_transaction": source_charge,
                    "transfer_group": str(booking_id),
                    "metadata": {"booking_id": str(booking_id)},
                },
                options={"idempotency_key": idempotency_key},
            )
        return transfer_snapshot(transfer.to_dict())

    async def reverse_transfer(
        self, transfer_ref: str, *, idempotency_key: str
    ) -> TransferSnapshot:
        """Take back whatever of the transfer is not reversed yet."""
        async with _mapped_errors():
            try:
                await self._client.v1.transfers.reversals.create_async(
                    transfer_ref, options={"idempotency_key": idempotency_key}
                )
            except stripe.InvalidRequestError as error:
                if error.code != "transfer_already_reversed":
                    raise
            transfer = await self._client.v1.transfers.retrieve_async(transfer_ref)
        return transfer_snapshot(transfer.to_dict())

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """The event a webhook carries, once its signature and timestamp check out."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8", errors="replace"),
                signature,
                self._webhook_secret,
                tolerance=self._tolerance,
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidWebhook(str(error)) from error
        try:
            body = json.loads(payload)
        except ValueError as error:
            raise NotAnEvent(f"the body is not JSON: {error}") from error
        return provider_event(body)

    async def events_since(self, created_gte: int) -> list[ProviderEvent]:
        """Every event created at or after this unix time that we can read, oldest first."""
        events = []
        async with _mapped_errors():
            page = await self._client.v1.events.list_async(
                params={"created": {"gte": created_gte}, "limit": 100}
            )
            async for listed in page.auto_paging_iter():
                try:
                    events.append(provider_event(listed.to_dict()))
                except InvalidWebhook as error:
                    log.error("Stripe event %s skipped: %s", listed.id, error)
        return sorted(events, key=lambda event: event.created)


class _mapped_errors:
    """Translate the SDK's errors into ours: passing ones to retry, refusals for good."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: object, error: BaseException | None, _: object) -> bool:
        if error is None or not isinstance(error, stripe.StripeError):
            return False
        status = error.http_status or 0
        if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
            raise ProviderUnavailable(str(error)) from error
        if status >= 500 or status == 409 or isinstance(error, stripe.AuthenticationError):
            raise ProviderUnavailable(str(error)) from error
        raise ProviderRejected(error.user_message or str(error), code=error.code) from error


def _at(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _capture_before(charge: dict[str, Any]) -> datetime | None:
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return _at(card.get("capture_before"))


def _failure(error: dict[str, Any] | None) -> CardFailure | None:
    if not error:
        return None
    reason = _FAILURE_REASONS.get(str(error.get("code")), PaymentFailureReason.CARD_DECLINED)
    return CardFailure(reason=reason, decline_code=error.get("decline_code"))


def intent_snapshot(intent: dict[str, Any]) -> IntentSnapshot:
    charge = intent.get("latest_charge")
    charge_ref = charge.get("id") if isinstance(charge, dict) else charge
    return IntentSnapshot(
        intent_ref=intent["id"],
        status=payment_status_from_stripe(intent["status"], intent.get("cancellation_reason")),
        amount_capturable_minor=int(intent.get("amount_capturable") or 0),
        amount_received_minor=int(intent.get("amount_received") or 0),
        charge_ref=charge_ref,
        capture_before=_capture_before(charge) if isinstance(charge, dict) else None,
        client_secret=intent.get("client_secret"),
        failure=_failure(intent.get("last_payment_error")),
        booking_id=_uuid((intent.get("metadata") or {}).get("booking_id")),
    )


def account_snapshot(account: dict[str, Any]) -> AccountSnapshot:
    requirements = account.get("requirements") or {}
    return AccountSnapshot(
        account_ref=account["id"],
        payouts_enabled=bool(account.get("payouts_enabled")),
        owner_id=_uuid((account.get("metadata") or {}).get("owner_id")),
        disabled_reason=requirements.get("disabled_reason"),
    )


def transfer_snapshot(transfer: dict[str, Any]) -> TransferSnapshot:
    booking = (transfer.get("metadata") or {}).get("booking_id") or transfer.get("transfer_group")
    return TransferSnapshot(
        transfer_ref=transfer["id"],
        amount_minor=int(transfer["amount"]),
        amount_reversed_minor=int(transfer.get("amount_reversed") or 0),
        currency=str(transfer["currency"]).upper(),
        booking_id=_uuid(booking),
    )


def _dispute_snapshot(dispute: dict[str, Any]) -> DisputeSnapshot:
    return DisputeSnapshot(
        dispute_ref=dispute["id"],
        intent_ref=dispute.get("payment_intent"),
        amount_minor=int(dispute["amount"]),
        currency=str(dispute["currency"]).upper(),
        reason=str(dispute.get("reason") or "general"),
        status=dispute_status_from_stripe(str(dispute.get("status"))),
        evidence_due_by=_at((dispute.get("evidence_details") or {}).get("due_by")),
    )


def provider_event(event: Any) -> ProviderEvent:
    """Our view of a Stripe event, whether it came by webhook or from the events list; a body
    that is not an event in our API version is refused (`NotAnEvent`, `ForeignApiVersion`)."""
    obj = _event_object(event)
    if event.get("api_version") != PINNED_API_VERSION:
        raise ForeignApiVersion(
            f"event {event['id']} is rendered in Stripe API version {event.get('api_version')!r}"
            f", payments reads {PINNED_API_VERSION!r}: set the webhook endpoint's version"
        )
    try:
        fields = _event_fields(obj)
        created = _at(event.get("created")) or datetime.now(UTC)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NotAnEvent(f"data.object is not a readable {obj.get('object')}: {error!r}") from None
    return ProviderEvent(id=event["id"], type=event["type"], created=created, **fields)


def _event_object(event: Any) -> dict[str, Any]:
    """The object an event carries, once the event has the fields every event has."""
    if not isinstance(event, dict):
        raise NotAnEvent(f"the body is a JSON {type(event).__name__}, not an event object")
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise NotAnEvent(f"{name}: missing or not a string")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise NotAnEvent("data.object: missing or not an object")
    if _has_nul(event):
        raise NotAnEvent("a text field contains a NUL character")
    obj: dict[str, Any] = data["object"]
    return obj


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _event_fields(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("object")
    if kind == "payment_intent":
        return {"intent": intent_snapshot(obj)}
    if kind == "charge":
        charge = ChargeSnapshot(
            charge_ref=obj["id"],
            intent_ref=obj.get("payment_intent"),
            amount_captured_minor=int(obj.get("amount_captured") or 0),
            amount_refunded_minor=int(obj.get("amount_refunded") or 0),
        )
        return {"charge": charge}
    if kind == "dispute":
        return {"dispute": _dispute_snapshot(obj)}
    if kind == "account":
        return {"account": account_snapshot(obj)}
    if kind == "transfer":
        return {"transfer": transfer_snapshot(obj)}
    return {}
