"""Stripe's test PaymentMethods the stand-in understands, and how each one answers a charge."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from stripe_standin.errors import CardError


@dataclass(frozen=True)
class TestCard:
    """A test card behind a `pm_card_*` id; `decline_code` set means every charge is declined."""

    brand: str
    last4: str
    decline_code: str | None = None
    decline_message: str = "Your card was declined."
    funding: str = "credit"
    country: str = "US"
    exp_month: int = 12
    exp_year: int = 2034

    def to_json(self) -> dict[str, object]:
        """The `card` hash shown in `payment_method_details` (without `capture_before`)."""
        return {
            "brand": self.brand,
            "last4": self.last4,
            "funding": self.funding,
            "country": self.country,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "network": self.brand,
            "checks": {"address_line1_check": None, "address_postal_code_check": None},
        }


TEST_PAYMENT_METHODS: dict[str, TestCard] = {
    "pm_card_visa": TestCard("visa", "4242"),
    "pm_card_mastercard": TestCard("mastercard", "4444"),
    "pm_card_amex": TestCard("amex", "8431"),
    "pm_card_chargeDeclined": TestCard("visa", "0002", decline_code="generic_decline"),
    "pm_card_visa_chargeDeclined": TestCard("visa", "0002", decline_code="generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard(
        "visa",
        "9995",
        decline_code="insufficient_funds",
        decline_message="Your card has insufficient funds.",
    ),
}

# Stripe's test card numbers, as a person types them into the card form.
TEST_CARD_NUMBERS: dict[str, TestCard] = {
    "4242424242424242": TestCard("visa", "4242"),
    "5555555555554444": TestCard("mastercard", "4444"),
    "378282246310005": TestCard("amex", "0005"),
    "4000000000000002": TestCard("visa", "0002", decline_code="generic_decline"),
    "4000000000009995": TEST_PAYMENT_METHODS["pm_card_chargeDeclinedInsufficientFunds"],
    # At Stripe this card asks for 3-D Secure; the stand-in has no `requires_action`, so it is
    # declined the way Stripe declines it when authentication cannot happen.
    "4000002500003155": TestCard(
        "visa",
        "3155",
        decline_code="authentication_required",
        decline_message="Your card was declined. This transaction requires authentication.",
    ),
}
_LIVE_CARD_MESSAGE = (
    "Your card was declined. Your request was in test mode, but used a non test (live) card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing."
)


def card_for_number(number: str, exp_month: int, exp_year: int) -> TestCard:
    """The test card behind a typed number; any other valid number is a live card, declined."""
    known = TEST_CARD_NUMBERS.get(number)
    if known is None:
        known = TestCard(
            "unknown",
            number[-4:],
            decline_code="live_mode_test_card",
            decline_message=_LIVE_CARD_MESSAGE,
        )
    return replace(known, exp_month=exp_month, exp_year=exp_year)


def passes_luhn(number: str) -> bool:
    """The card number checksum every real and test number satisfies."""
    total = 0
    for index, digit in enumerate(int(char) for char in reversed(number)):
        doubled = digit * 2 if index % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def card_from_details(details: dict[str, Any], today: date) -> TestCard:
    """`payment_method_data[card]` as typed (number, exp_month, exp_year, cvc) checked the way
    Stripe checks raw card details: a bad one is a 402 `card_error` naming the field."""
    number = _text(details, "number").replace(" ", "")
    if not (12 <= len(number) <= 19 and number.isdigit() and passes_luhn(number)):
        raise CardError("Your card number is incorrect.", code="incorrect_number", param="number")
    month, year = _text(details, "exp_month"), _text(details, "exp_year")
    if not (month.isdigit() and 1 <= int(month) <= 12):
        raise CardError(
            "Your card's expiration month is invalid.",
            code="invalid_expiry_month",
            param="exp_month",
        )
    if not (year.isdigit() and len(year) in (2, 4)):
        raise CardError(
            "Your card's expiration year is invalid.", code="invalid_expiry_year", param="exp_year"
        )
    exp_year = int(year) + (2000 if len(year) == 2 else 0)
    if (exp_year, int(month)) < (today.year, today.month):
        raise CardError("Your card has expired.", code="expired_card", param="exp_year")
    cvc = _text(details, "cvc")
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        raise CardError("Your card's security code is invalid.", code="invalid_cvc", param="cvc")
    return card_for_number(number, int(month), exp_year)


def _text(details: dict[str, Any], name: str) -> str:
    value = details.get(name)
    return value.strip() if isinstance(value, str) else ""
