"""What differs between Stripe API versions in what the stand-in renders.

Stripe renders an API answer in the request's `Stripe-Version` (the account's default without
one) and an event in the account's or endpoint's version. Versions are ordered by their date.
"""

from __future__ import annotations

from typing import Any

EXPIRED_CANCELLATION_SINCE = "2025-03-31"
"""From this version a lapsed authorization is canceled with `expired`, before with `automatic`."""


def render(body: Any, version: str) -> Any:
    """`body` (an object, list or event as JSON) as Stripe renders it in API `version`."""
    if isinstance(body, list):
        return [render(item, version) for item in body]
    if not isinstance(body, dict):
        return body
    rendered = {key: render(value, version) for key, value in body.items()}
    lapsed = rendered.get("object") == "payment_intent" and (
        rendered.get("cancellation_reason") == "expired"
    )
    if lapsed and version[:10] < EXPIRED_CANCELLATION_SINCE:
        rendered["cancellation_reason"] = "automatic"
    return rendered
