"""The one Stripe account a stand-in process plays: every object, the clock and the event log."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from stripe_standin.errors import InvalidRequestError, ResourceMissing
from stripe_standin.objects import (
    Account,
    AccountLink,
    Charge,
    Dispute,
    Event,
    PaymentIntent,
    Refund,
    Transfer,
    new_id,
)
from stripe_standin.params import RequestRef
from stripe_standin.versions import render


class StripeObject(Protocol):
    """Anything that renders itself as a Stripe JSON object."""

    def to_json(self) -> dict[str, Any]: ...


T = TypeVar("T")


class StandinState:
    """In-memory objects of one Stripe account; transitions live in the resource modules."""

    def __init__(self, api_version: str, on_event: Callable[[Event], None]) -> None:
        self.api_version = api_version
        self.on_event = on_event
        # POSTs run one at a time so an idempotency check, its transition and the stored reply
        # cannot interleave with a racing request on the same objects.
        self.lock = asyncio.Lock()
        self.clock_offset_seconds = 0
        self.payment_intents: dict[str, PaymentIntent] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self.disputes: dict[str, Dispute] = {}
        self.accounts: dict[str, Account] = {}
        self.account_links: dict[str, AccountLink] = {}
        self.transfers: dict[str, Transfer] = {}
        self.events: list[Event] = []

    def now(self) -> int:
        """Unix seconds on the stand-in's clock, which tests may move forward."""
        return int(time.time()) + self.clock_offset_seconds

    def emit(
        self,
        event_type: str,
        obj: StripeObject,
        request: RequestRef,
        previous_attributes: dict[str, Any] | None = None,
    ) -> Event:
        """Record an event with a snapshot of `obj` and hand it to webhook delivery."""
        event = Event(
            id=new_id("evt"),
            type=event_type,
            created=self.now(),
            api_version=self.api_version,
            data_object=render(copy.deepcopy(obj.to_json()), self.api_version),
            request=request,
            previous_attributes=previous_attributes,
        )
        self.events.append(event)
        self.on_event(event)
        return event

    def find(self, object_id: str) -> StripeObject | None:
        """Any stored object by id, for `expand[]`."""
        stores: list[dict[str, Any]] = [
            self.payment_intents,
            self.charges,
            self.refunds,
            self.disputes,
            self.accounts,
            self.transfers,
        ]
        for store in stores:
            if object_id in store:
                found: StripeObject = store[object_id]
                return found
        return None

    def expand(self, body: dict[str, Any], paths: list[str]) -> dict[str, Any]:
        """Replace ids named by `expand[]` paths (`latest_charge`, `data.charge`) with objects."""
        for path in paths:
            self._expand_path(body, path.split("."), path)
        return body

    def _expand_path(self, node: Any, parts: list[str], path: str) -> None:
        if isinstance(node, dict) and node.get("object") == "list" and parts[0] == "data":
            for item in node["data"]:
                self._expand_path(item, parts[1:], path)
            return
        head, rest = parts[0], parts[1:]
        if not isinstance(node, dict) or head not in node:
            raise InvalidRequestError(f"This property cannot be expanded ({head}).", param="expand")
        value = node[head]
        if isinstance(value, str):
            found = self.find(value)
            if found is None:
                raise InvalidRequestError(
                    f"This property cannot be expanded ({head}).", param="expand"
                )
            value = node[head] = found.to_json()
        if rest and value is not None:
            self._expand_path(value, rest, path)


def lookup(store: dict[str, T], object_id: str, kind: str, *, param: str = "id") -> T:
    """An object by id, or Stripe's `resource_missing` error."""
    try:
        return store[object_id]
    except KeyError:
        raise ResourceMissing(kind, object_id, param=param) from None
