"""Commands naming amounts beyond what money columns hold, or text with NUL, are refused when
read (straight to the dead letters, naming the field), never half-handled."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.payments import AuthorizePayment, CapturePayment, RefundPayment
from contracts.values import MAX_MINOR_UNITS


def authorize(**changes: Any) -> dict[str, Any]:
    ends = datetime(2026, 12, 2, 12, tzinfo=UTC)
    return {
        "booking_id": str(uuid.uuid4()),
        "booker_id": str(uuid.uuid4()),
        "owner_id": str(uuid.uuid4()),
        "studio_id": str(uuid.uuid4()),
        "amount": {"amount_minor": 10_000, "currency": "USD"},
        "platform_fee": {"amount_minor": 1_500, "currency": "USD"},
        "session_starts_at": (ends - timedelta(hours=2)).isoformat(),
        "session_ends_at": ends.isoformat(),
        "description": "Studio A, 2 hours",
        **changes,
    }


def money(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": "USD"}


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (AuthorizePayment, authorize(amount=money(2**63)), "amount"),
        (AuthorizePayment, authorize(amount=money(MAX_MINOR_UNITS + 1)), "amount"),
        (AuthorizePayment, authorize(description="Studio\x00A"), "description"),
        (CapturePayment, {"booking_id": str(uuid.uuid4()), "amount": money(2**63)}, "amount"),
        (
            RefundPayment,
            {
                "booking_id": str(uuid.uuid4()),
                "refund_id": str(uuid.uuid4()),
                "amount": money(MAX_MINOR_UNITS + 1),
                "reason": "cancelled_by_booker",
            },
            "amount",
        ),
    ],
)
def test_a_command_out_of_bounds_is_refused_naming_the_field(
    model: Any, body: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)

    assert [error["loc"][0] for error in refused.value.errors()] == [field]


def test_the_largest_amount_is_accepted() -> None:
    command = AuthorizePayment.model_validate(authorize(amount=money(MAX_MINOR_UNITS)))

    assert command.amount.amount_minor == MAX_MINOR_UNITS
