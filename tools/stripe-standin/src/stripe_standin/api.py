"""What every route shares: the API key, the parameters, idempotent execution, Stripe's errors."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from stripe_standin.config import Settings
from stripe_standin.errors import AuthenticationError, InvalidRequestError, StripeError
from stripe_standin.idempotency import IdempotencyStore, StoredResponse
from stripe_standin.latency import Latency
from stripe_standin.objects import new_id
from stripe_standin.params import Params, RequestRef, decode_form
from stripe_standin.state import StandinState, StripeObject
from stripe_standin.versions import render
from stripe_standin.webhooks import WebhookDispatcher

Action = Callable[[Params], StripeObject | dict[str, Any]]

_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


@dataclass
class Standin:
    """The stand-in's parts, built once per app by `create_app`."""

    settings: Settings
    state: StandinState
    webhooks: WebhookDispatcher
    idempotency: IdempotencyStore
    latency: Latency


@dataclass(frozen=True)
class ApiCall:
    """One incoming request, parsed."""

    method: str
    path: str
    api_key: str
    values: dict[str, Any]
    idempotency_key: str | None
    request_id: str
    api_version: str
    """The request's `Stripe-Version`, or the account's: what the answer is rendered in."""
    publishable: bool = False
    """Made with a publishable key (from a browser): only the client secret's intent is open."""

    def params(self) -> Params:
        """Fresh parameters tied to this request (for `event.request`)."""
        return Params(self.values, RequestRef(self.request_id, self.idempotency_key))


def get_standin(request: Request) -> Standin:
    """The app's `Standin`."""
    standin: Standin = request.app.state.standin
    return standin


async def api_call(request: Request) -> ApiCall:
    """A `/v1` request: an API key is required, as Stripe requires one."""
    api_key = authenticate(request.headers.get("authorization"))
    return await _parse(request, api_key)


async def client_call(request: Request) -> ApiCall:
    """A request a secret key or Stripe.js may make. Stripe.js sends the publishable key as a
    `key` parameter (no Authorization header, so a cross-origin POST needs no preflight)."""
    if request.headers.get("authorization"):
        scheme, _, credentials = request.headers["authorization"].partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip().startswith("pk_"):
            return await api_call(request)
        call = await _parse(request, api_key=credentials.strip())
    else:
        call = await _parse(request, api_key="")
        key = call.values.pop("key", None)
        if not isinstance(key, str) or not key:
            raise AuthenticationError(_NO_KEY)
        call = replace(call, api_key=key)
    _check_publishable_key(call.api_key, get_standin(request).settings.publishable_key)
    return replace(call, publishable=True)


def _check_publishable_key(key: str, expected: str | None) -> None:
    if not key.startswith("pk_test_") or (expected is not None and key != expected):
        raise AuthenticationError(f"Invalid API Key provided: {_redacted(key)}")


def _redacted(key: str) -> str:
    return f"{key[:8]}{'*' * 12}{key[-4:]}"


async def helper_call(request: Request) -> ApiCall:
    """A `/_standin` request: no key, like a browser or the test harness."""
    return await _parse(request, api_key="")


def authenticate(header: str | None) -> str:
    """The API key from `Bearer sk_test_...` (or Basic auth with the key as user name)."""
    if not header:
        raise AuthenticationError(_NO_KEY)
    scheme, _, credentials = header.partition(" ")
    key = credentials.strip()
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(key).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError(_NO_KEY) from None
    elif scheme.lower() != "bearer":
        raise AuthenticationError(_NO_KEY)
    if not key.startswith(("sk_test_", "rk_test_")):
        raise AuthenticationError(f"Invalid API Key provided: {_redacted(key)}")
    return key


async def _parse(request: Request, api_key: str) -> ApiCall:
    if request.method == "GET":
        values = decode_form(request.query_params.multi_items())
    elif request.headers.get("content-type", "").startswith("application/json"):
        values = _json_params(await request.body())
    else:
        form = await request.form()
        values = decode_form((key, str(value)) for key, value in form.multi_items())
    key = request.headers.get("idempotency-key") if request.method == "POST" else None
    version = request.headers.get("stripe-version") or get_standin(request).state.api_version
    return ApiCall(request.method, request.url.path, api_key, values, key, new_id("req"), version)


def _json_params(body: bytes) -> dict[str, Any]:
    # The helpers also take JSON for convenience; values become the strings a form would carry.
    try:
        parsed = json.loads(body or b"{}")
    except json.JSONDecodeError:
        raise InvalidRequestError("Invalid JSON body.") from None
    if not isinstance(parsed, dict):
        raise InvalidRequestError("Expected a JSON object.")
    converted = _stringify(parsed)
    assert isinstance(converted, dict)
    return converted


def _stringify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


async def execute(standin: Standin, call: ApiCall, action: Action) -> Response:
    """Run `action` once per idempotency key, rendering its object or its Stripe error; the
    answer waits out any latency set for the path (outside the lock: others go on meanwhile)."""
    response = await _execute_now(standin, call, action)
    delay = standin.latency.delay_for(call.path)
    if delay:
        await asyncio.sleep(delay)
    return response


async def _execute_now(standin: Standin, call: ApiCall, action: Action) -> Response:
    store = standin.idempotency
    async with standin.state.lock:
        fingerprint = store.fingerprint(call.method, call.path, call.values)
        if call.idempotency_key:
            stored = store.replay(call.api_key, call.idempotency_key, fingerprint)
            if stored is not None:
                return _response(
                    stored.body,
                    stored.status_code,
                    call,
                    {"Idempotent-Replayed": "true", "Original-Request": stored.request_id},
                )
        status_code, body = _perform(standin.state, call, action)
        # Stripe keeps a result only once the endpoint started executing: successes and card
        # declines, not parameter errors a corrected retry should get past.
        if call.idempotency_key and (status_code < 300 or status_code == 402):
            store.save(
                call.api_key,
                call.idempotency_key,
                StoredResponse(fingerprint, status_code, body, call.request_id),
            )
        return _response(body, status_code, call)


def _perform(state: StandinState, call: ApiCall, action: Action) -> tuple[int, bytes]:
    params = call.params()
    try:
        expand = params.string_list("expand")
        result = action(params)
        rendered = result if isinstance(result, dict) else result.to_json()
        rendered = state.expand(rendered, expand)
    except StripeError as error:
        return error.http_status, json.dumps(render(error.to_json(), call.api_version)).encode()
    return 200, json.dumps(render(rendered, call.api_version)).encode()


def _response(
    body: bytes, status_code: int, call: ApiCall, extra: dict[str, str] | None = None
) -> Response:
    headers = {"Request-Id": call.request_id, **(extra or {})}
    if call.idempotency_key:
        headers["Idempotency-Key"] = call.idempotency_key
    return Response(body, status_code, headers=headers, media_type="application/json")


StandinDep = Annotated[Standin, Depends(get_standin)]
ApiCallDep = Annotated[ApiCall, Depends(api_call)]
HelperCallDep = Annotated[ApiCall, Depends(helper_call)]
ClientCallDep = Annotated[ApiCall, Depends(client_call)]
