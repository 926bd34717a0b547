"""Stripe's test PaymentMethods the stand-in understands, and how each one answers a charge."""

from __future__ import annotations

from dataclasses import dataclass


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
