"""The one place that talks to Stripe, through the official SDK's async client.

Stripe objects never leave this module: every answer is mapped to our own types
(`payments.provider`, snapshots of the domain) by `stripe_mapping.py`. Every POST carries the
idempotency key the caller derives from the booking and the step, so a retried call never does
the thing twice. The same code talks to the local stand-in or to real Stripe, depending only on
`stripe_api_base`.
"""

from __future__ import annotations

import json
import logging
import ssl
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import aiohttp
import stripe
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace import TracerProvider

from payments.config import PaymentsSettings
from payments.domain.payment_states import IntentSnapshot
from payments.provider import (
    AccountSnapshot,
    InvalidWebhook,
    NotAnEvent,
    ProviderEvent,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    TransferSnapshot,
)
from payments.stripe_mapping import (
    account_snapshot,
    capture_before_of,
    intent_snapshot,
    provider_event,
    transfer_snapshot,
)

log = logging.getLogger(__name__)
_TYPES_PER_LIST = 20  # the most `types` one GET /v1/events takes


class StripeGateway:
    """Stripe's API as the payments service uses it."""

    def __init__(self, settings: PaymentsSettings) -> None:
        self._secret_key = settings.stripe_secret_key
        self._api_base = settings.stripe_api_base
        self._tracer_provider: TracerProvider | None = None
        self._session: aiohttp.ClientSession | None = None
        self._stripe: stripe.StripeClient | None = None
        # Each call is one INFO line of ours (`_call_logging`); the SDK's two INFO lines per call,
        # before and after, would say it again. Its warnings, and all of it at DEBUG, stay.
        if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
            logging.getLogger("stripe").setLevel(logging.WARNING)
        self._webhook_secret = settings.stripe_webhook_secret
        self._tolerance = settings.stripe_webhook_tolerance_seconds
        self._connect_country = settings.connect_country
        self._return_url = settings.onboarding_return_url
        self._refresh_url = settings.onboarding_refresh_url

    def trace_with(self, tracer_provider: TracerProvider) -> None:
        """Stripe calls belong in the booking's trace like any other outgoing HTTP call."""
        self._tracer_provider = tracer_provider

    @property
    def _client(self) -> stripe.StripeClient:
        """The SDK's client on aiohttp (half the CPU of a call on its httpx client), made at
        the first call: an aiohttp session belongs to the event loop it is made in."""
        if self._stripe is None:
            tracing = self._tracer_provider
            traced = [create_trace_config(tracer_provider=tracing)] if tracing else []
            self._session = aiohttp.ClientSession(
                # What the SDK's own aiohttp session verifies Stripe's certificate with.
                connector=aiohttp.TCPConnector(
                    ssl=ssl.create_default_context(cafile=stripe.ca_bundle_path)
                ),
                trace_configs=[*traced, _call_logging()],
            )
            self._stripe = stripe.StripeClient(
                self._secret_key,
                base_addresses={"api": self._api_base} if self._api_base else None,
                http_client=_AiohttpTransport(timeout=20, session=self._session),
                max_network_retries=2,
            )
        return self._stripe

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

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
        metadata = {"booking_id": str(booking_id)}
        if move_id is not None:
            metadata["move_id"] = str(move_id)  # finds a move's payment if our record was lost
        params: dict[str, Any] = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "capture_method": "manual",
            "description": description,
            "metadata": metadata,
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
        return capture_before_of(charge.to_dict())

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
        source_charge: str | None,
        idempotency_key: str,
    ) -> TransferSnapshot:
        params: dict[str, Any] = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": str(booking_id),
            "metadata": {"booking_id": str(booking_id)},
        }
        if source_charge is not None:
            # Without one (no single charge of the booking holds it all) the transfer is taken
            # from the platform's balance, still grouped with the booking's charges.
            params["source_transaction"] = source_charge
        async with _mapped_errors():
            transfer = await self._client.v1.transfers.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        return transfer_snapshot(transfer.to_dict())

    async def reverse_transfer(
        self, transfer_ref: str, *, amount_minor: int | None, idempotency_key: str
    ) -> TransferSnapshot:
        """Take back `amount_minor` of the transfer, or (None) whatever is not reversed yet."""
        params: stripe.params.TransferReversalCreateParams = (
            {} if amount_minor is None else {"amount": amount_minor}
        )
        async with _mapped_errors():
            try:
                await self._client.v1.transfers.reversals.create_async(
                    transfer_ref, params=params, options={"idempotency_key": idempotency_key}
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

    async def undelivered_events_since(
        self, created_gte: int, types: Collection[str]
    ) -> list[ProviderEvent]:
        """Every event of these types created at or after this unix time that no webhook
        delivered yet (`delivery_success=false`), that we can read, oldest first. Stripe
        filters by up to 20 types at a time."""
        events = []
        wanted = sorted(types)
        async with _mapped_errors():
            for first in range(0, len(wanted), _TYPES_PER_LIST):
                page = await self._client.v1.events.list_async(
                    params={
                        "created": {"gte": created_gte},
                        "delivery_success": False,
                        "types": wanted[first : first + _TYPES_PER_LIST],
                        "limit": 100,
                    }
                )
                async for listed in page.auto_paging_iter():
                    try:
                        events.append(provider_event(listed.to_dict()))
                    except InvalidWebhook as error:
                        log.error("Stripe event %s skipped: %s", listed.id, error)
        return sorted(events, key=lambda event: event.created)


class _AiohttpTransport(stripe.AIOHTTPClient):
    """The SDK's aiohttp transport, with the answer's body read where a failure is one of the
    connection: the SDK reads it after, where a connection cut or timed out in the middle of
    the body escaped as aiohttp's own error, neither retried by the SDK nor ours to map."""

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        content, status, answer_headers = await self.request_stream_async(
            method, url, headers, post_data=post_data
        )
        try:
            return await content.read(), status, answer_headers
        except (TimeoutError, aiohttp.ClientError) as error:
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
                f"Stripe's answer was cut off: {error!r}", should_retry=True
            ) from error


def _call_logging() -> aiohttp.TraceConfig:
    """One INFO line a call: its method, URL and status."""

    async def on_request_end(
        _: aiohttp.ClientSession, __: SimpleNamespace, call: aiohttp.TraceRequestEndParams
    ) -> None:
        log.info("Stripe call: %s %s %d", call.method, call.url, call.response.status)

    logging_calls = aiohttp.TraceConfig()
    logging_calls.on_request_end.append(on_request_end)
    return logging_calls


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
