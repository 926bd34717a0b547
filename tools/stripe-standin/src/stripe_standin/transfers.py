"""Transfers to connected accounts (owner payouts) and their reversals."""

from __future__ import annotations

from typing import Any

from stripe_standin.errors import InvalidRequestError
from stripe_standin.objects import Transfer, TransferReversal, list_json, new_id
from stripe_standin.pagination import page
from stripe_standin.params import Params
from stripe_standin.state import StandinState, lookup


def create(state: StandinState, p: Params) -> Transfer:
    """`POST /v1/transfers`; with `source_transaction`, never more than that charge has left."""
    amount = p.require_integer("amount")
    currency = p.require_string("currency").lower()
    destination_id = p.require_string("destination")
    source_transaction = p.string("source_transaction")
    transfer = Transfer(
        id=new_id("tr"),
        amount=amount,
        currency=currency,
        destination=destination_id,
        destination_payment=new_id("py"),
        created=state.now(),
        source_transaction=source_transaction,
        transfer_group=p.string("transfer_group"),
        description=p.string("description"),
        metadata=p.metadata(),
    )
    p.reject_unknown()
    destination = lookup(state.accounts, destination_id, "destination", param="destination")
    if destination.capabilities.get("transfers") != "active":
        raise InvalidRequestError(
            "Your destination account needs to have at least one of the following capabilities "
            "enabled: transfers, crypto_transfers, legacy_payments",
            code="insufficient_capabilities_for_transfer",
            param="destination",
        )
    if source_transaction is not None:
        _check_source(state, transfer, source_transaction)
    state.transfers[transfer.id] = transfer
    state.emit("transfer.created", transfer, p.request)
    return transfer


def retrieve(state: StandinState, transfer_id: str) -> Transfer:
    """`GET /v1/transfers/{id}`."""
    return lookup(state.transfers, transfer_id, "transfer")


def reverse(state: StandinState, transfer_id: str, p: Params) -> TransferReversal:
    """`POST /v1/transfers/{id}/reversals`; no amount means whatever is not yet reversed."""
    transfer = lookup(state.transfers, transfer_id, "transfer")
    amount = p.integer("amount")
    metadata = p.metadata()
    p.string("description")
    p.boolean("refund_application_fee")
    p.reject_unknown()
    remaining = transfer.amount - transfer.amount_reversed
    if remaining == 0:
        raise InvalidRequestError(
            f"Transfer {transfer.id} has already been fully reversed.",
            code="transfer_already_reversed",
        )
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise InvalidRequestError(
            f"You have requested a reversal of {amount}, but only {remaining} remains "
            f"on transfer {transfer.id}.",
            code="amount_too_large",
            param="amount",
        )
    reversal = TransferReversal(
        id=new_id("trr"),
        amount=amount,
        currency=transfer.currency,
        transfer=transfer.id,
        created=state.now(),
        metadata=metadata,
    )
    transfer.reversals.append(reversal)
    state.emit("transfer.reversed", transfer, p.request)
    return reversal


def list_reversals(state: StandinState, transfer_id: str, p: Params) -> dict[str, Any]:
    """`GET /v1/transfers/{id}/reversals`, newest first."""
    transfer = lookup(state.transfers, transfer_id, "transfer")
    data, has_more = page(list(reversed(transfer.reversals)), p)
    p.reject_unknown()
    return list_json(
        f"/v1/transfers/{transfer.id}/reversals", [r.to_json() for r in data], has_more
    )


def _check_source(state: StandinState, transfer: Transfer, charge_id: str) -> None:
    charge = lookup(state.charges, charge_id, "charge", param="source_transaction")
    if not charge.captured or charge.currency != transfer.currency:
        raise InvalidRequestError(
            f"The source_transaction {charge.id} must be a captured charge in {transfer.currency}.",
            param="source_transaction",
        )
    already = sum(
        other.amount - other.amount_reversed
        for other in state.transfers.values()
        if other.source_transaction == charge.id
    )
    available = charge.amount_captured - charge.amount_refunded - already
    if transfer.amount > available:
        raise InvalidRequestError(
            f"Transfer amount ({transfer.amount}) exceeds what is left on the source "
            f"transaction {charge.id} ({available}).",
            code="amount_too_large",
            param="amount",
        )
