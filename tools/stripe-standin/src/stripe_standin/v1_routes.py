"""`/v1` routes: thin, each hands its parameters to a resource module through `execute`."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response

from stripe_standin import accounts, events, payment_intents, publishable, refunds, transfers
from stripe_standin.api import Action, ApiCallDep, ClientCallDep, StandinDep, execute
from stripe_standin.params import Params
from stripe_standin.state import StripeObject, lookup

router = APIRouter(prefix="/v1")

T = TypeVar("T", bound=StripeObject)


def _retrieve(store: dict[str, T], object_id: str, kind: str) -> Action:
    def action(p: Params) -> StripeObject:
        p.reject_unknown()
        return lookup(store, object_id, kind)

    return action


@router.post("/payment_intents")
async def create_payment_intent(standin: StandinDep, call: ApiCallDep) -> Response:
    return await execute(standin, call, lambda p: payment_intents.create(standin.state, p))


@router.get("/payment_intents/{intent_id}")
async def retrieve_payment_intent(
    standin: StandinDep, call: ClientCallDep, intent_id: str
) -> Response:
    if call.publishable:
        return await execute(standin, call, publishable.retrieve(standin.state, intent_id))
    action = _retrieve(standin.state.payment_intents, intent_id, "payment_intent")
    return await execute(standin, call, action)


@router.post("/payment_intents/{intent_id}/confirm")
async def confirm_payment_intent(
    standin: StandinDep, call: ClientCallDep, intent_id: str
) -> Response:
    if call.publishable:
        return await execute(standin, call, publishable.confirm(standin.state, intent_id))
    return await execute(
        standin, call, lambda p: payment_intents.confirm(standin.state, intent_id, p)
    )


@router.post("/payment_intents/{intent_id}/capture")
async def capture_payment_intent(standin: StandinDep, call: ApiCallDep, intent_id: str) -> Response:
    return await execute(
        standin, call, lambda p: payment_intents.capture(standin.state, intent_id, p)
    )


@router.post("/payment_intents/{intent_id}/cancel")
async def cancel_payment_intent(standin: StandinDep, call: ApiCallDep, intent_id: str) -> Response:
    return await execute(
        standin, call, lambda p: payment_intents.cancel(standin.state, intent_id, p)
    )


@router.get("/charges/{charge_id}")
async def retrieve_charge(standin: StandinDep, call: ApiCallDep, charge_id: str) -> Response:
    return await execute(standin, call, _retrieve(standin.state.charges, charge_id, "charge"))


@router.get("/disputes/{dispute_id}")
async def retrieve_dispute(standin: StandinDep, call: ApiCallDep, dispute_id: str) -> Response:
    action = _retrieve(standin.state.disputes, dispute_id, "dispute")
    return await execute(standin, call, action)


@router.post("/refunds")
async def create_refund(standin: StandinDep, call: ApiCallDep) -> Response:
    return await execute(standin, call, lambda p: refunds.create(standin.state, p))


@router.get("/refunds")
async def list_refunds(standin: StandinDep, call: ApiCallDep) -> Response:
    return await execute(standin, call, lambda p: refunds.list_refunds(standin.state, p))


@router.get("/refunds/{refund_id}")
async def retrieve_refund(standin: StandinDep, call: ApiCallDep, refund_id: str) -> Response:
    return await execute(standin, call, _retrieve(standin.state.refunds, refund_id, "refund"))


@router.post("/accounts")
async def create_account(standin: StandinDep, call: ApiCallDep) -> Response:
    return await execute(standin, call, lambda p: accounts.create(standin.state, p))


@router.get("/accounts/{account_id}")
async def retrieve_account(standin: StandinDep, call: ApiCallDep, account_id: str) -> Response:
    action = _retrieve(standin.state.accounts, account_id, "account")
    return await execute(standin, call, action)


@router.post("/account_links")
async def create_account_link(standin: StandinDep, call: ApiCallDep, request: Request) -> Response:
    base_url = str(request.base_url)
    return await execute(standin, call, lambda p: accounts.create_link(standin.state, p, base_url))


@router.post("/transfers")
async def create_transfer(standin: StandinDep, call: ApiCallDep) -> Response:
    return await execute(standin, call, lambda p: transfers.create(standin.state, p))


@router.get("/transfers/{transfer_id}")
async def retrieve_transfer(standin: StandinDep, call: ApiCallDep, transfer_id: str) -> Response:
    action = _retrieve(standin.state.transfers, transfer_id, "transfer")
    return await execute(standin, call, action)


@router.post("/transfers/{transfer_id}/reversals")
async def create_transfer_reversal(
    standin: StandinDep, call: ApiCallDep, transfer_id: str
) -> Response:
    return await execute(standin, call, lambda p: transfers.reverse(standin.state, transfer_id, p))


@router.get("/transfers/{transfer_id}/reversals")
async def list_transfer_reversals(
    standin: StandinDep, call: ApiCallDep, transfer_id: str
) -> Response:
    return await execute(
        standin, call, lambda p: transfers.list_reversals(standin.state, transfer_id, p)
    )


@router.get("/events")
async def list_events(standin: StandinDep, call: ApiCallDep) -> Response:
    return await execute(standin, call, lambda p: events.list_events(standin.state, p))


@router.get("/events/{event_id}")
async def retrieve_event(standin: StandinDep, call: ApiCallDep, event_id: str) -> Response:
    def action(p: Params) -> dict[str, Any]:
        p.reject_unknown()
        return events.retrieve(standin.state, event_id).to_json()

    return await execute(standin, call, action)
