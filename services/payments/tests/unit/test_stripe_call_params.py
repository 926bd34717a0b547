"""A queued Stripe call's parameters come back from the queue as they went in, or not at all."""

from __future__ import annotations

import uuid

import pytest

from payments.domain.stripe_calls import (
    AuthorizeParams,
    CancelParams,
    CaptureParams,
    RefundParams,
    ReverseTransferParams,
    StripeCallKind,
    StripeCallParams,
    TransferParams,
    UnreadableCall,
    params_from_json,
    params_to_json,
)

EACH_KIND = [
    AuthorizeParams(description="Studio A, 2 hours"),
    CaptureParams(amount_minor=10_000),
    CancelParams(),
    RefundParams(refund_id=uuid.uuid4(), amount_minor=2_500),
    TransferParams(),
    ReverseTransferParams(reason="dispute_opened"),
]


@pytest.mark.parametrize("params", EACH_KIND, ids=lambda params: params.kind.value)
def test_parameters_survive_the_queue(params: StripeCallParams) -> None:
    assert params_from_json(params.kind.value, params_to_json(params)) == params


def test_every_kind_has_its_parameters() -> None:
    assert {params.kind for params in EACH_KIND} == set(StripeCallKind)


def test_rows_written_before_the_types_still_read() -> None:
    refund_id = uuid.uuid4()
    raw = {"refund_id": str(refund_id), "amount_minor": 700}

    assert params_from_json("refund", raw) == RefundParams(refund_id=refund_id, amount_minor=700)
    assert params_from_json("reverse_transfer", {}) == ReverseTransferParams(reason="dispute")


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("capture", {}),
        ("capture", {"amount_minor": "lots"}),
        ("refund", {"refund_id": "not-a-uuid", "amount_minor": 1}),
        ("cancel", {"unexpected": 1}),
        ("teleport", {}),
    ],
)
def test_parameters_that_do_not_validate_are_refused(kind: str, raw: dict[str, object]) -> None:
    with pytest.raises(UnreadableCall):
        params_from_json(kind, raw)
