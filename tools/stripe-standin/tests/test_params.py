"""Stripe's bracket notation decoded into nested parameters."""

from __future__ import annotations

import pytest

from stripe_standin.errors import InvalidRequestError
from stripe_standin.params import Params, decode_form


def test_brackets_become_nested_hashes_and_arrays():
    decoded = decode_form(
        [
            ("metadata[booking_id]", "bk_1"),
            ("capabilities[transfers][requested]", "true"),
            ("expand[0]", "latest_charge"),
            ("expand[1]", "customer"),
            ("types[]", "charge.refunded"),
        ]
    )

    assert decoded == {
        "metadata": {"booking_id": "bk_1"},
        "capabilities": {"transfers": {"requested": "true"}},
        "expand": ["latest_charge", "customer"],
        "types": ["charge.refunded"],
    }


def test_integers_are_validated_like_stripe():
    with pytest.raises(InvalidRequestError) as error:
        Params({"amount": "12.5"}).require_integer("amount")

    assert error.value.code == "parameter_invalid_integer"
