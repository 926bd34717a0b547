"""Idempotency keys: the first response is kept and replayed for the same key and parameters."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from stripe_standin.errors import IdempotencyError


@dataclass(frozen=True)
class StoredResponse:
    """What the first request with a key got back."""

    fingerprint: str
    status_code: int
    body: bytes
    request_id: str


class IdempotencyStore:
    """Responses by (API key, idempotency key): keys are scoped per API key, as in Stripe."""

    def __init__(self) -> None:
        self._responses: dict[tuple[str, str], StoredResponse] = {}

    @staticmethod
    def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
        """A digest of what the request asked for."""
        canonical = json.dumps([method, path, params], sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def replay(self, api_key: str, key: str, fingerprint: str) -> StoredResponse | None:
        """The stored response, or `None` if the key is new; a reuse with other params fails."""
        stored = self._responses.get((api_key, key))
        if stored is None:
            return None
        if stored.fingerprint != fingerprint:
            raise IdempotencyError(
                f"Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                f"execute a different request."
            )
        return stored

    def save(self, api_key: str, key: str, response: StoredResponse) -> None:
        """Keep the response for replays."""
        self._responses[(api_key, key)] = response
