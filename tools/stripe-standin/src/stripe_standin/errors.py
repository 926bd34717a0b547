"""Stripe's error bodies (`{"error": {"type", "code", "message", "param"}}`) and statuses."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An error the API answers with, in Stripe's body shape."""

    http_status = 400
    error_type = "invalid_request_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.extra = extra or {}

    def to_json(self) -> dict[str, Any]:
        """The response body Stripe sends for this error."""
        body: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code:
            body["code"] = self.code
            body["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            body["param"] = self.param
        body.update(self.extra)
        return {"error": body}


class InvalidRequestError(StripeError):
    """Bad parameters or a call the object's state does not allow (HTTP 400)."""


class ResourceMissing(InvalidRequestError):
    """`No such payment_intent: 'pi_...'` (HTTP 404)."""

    http_status = 404

    def __init__(self, kind: str, object_id: str, *, param: str = "id") -> None:
        super().__init__(f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


class AuthenticationError(StripeError):
    """A missing or malformed API key (HTTP 401)."""

    http_status = 401


class CardError(StripeError):
    """The card was declined (HTTP 402)."""

    http_status = 402
    error_type = "card_error"


class IdempotencyError(StripeError):
    """An idempotency key reused with different parameters (HTTP 400)."""

    error_type = "idempotency_error"
