"""Reading the event log back, as a reconciliation job does after a lost webhook."""

from __future__ import annotations

import fnmatch
from typing import Any

from stripe_standin.errors import InvalidRequestError
from stripe_standin.objects import Event, list_json
from stripe_standin.pagination import page
from stripe_standin.params import Params
from stripe_standin.state import StandinState, lookup

_RANGE_OPERATORS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def retrieve(state: StandinState, event_id: str) -> Event:
    """`GET /v1/events/{id}`."""
    events = {event.id: event for event in state.events}
    return lookup(events, event_id, "event")


def list_events(state: StandinState, p: Params) -> dict[str, Any]:
    """`GET /v1/events` filtered by `type` (wildcards allowed), `types[]`, `created[...]` and
    `delivery_success` (false: the events whose webhook is not delivered yet, or never was)."""
    patterns = p.string_list("types") or [p.string("type") or "*"]
    created = _created_filter(p)
    delivered = p.boolean("delivery_success")
    matching = [
        event
        for event in reversed(state.events)
        if (delivered is None or delivered == (event.pending_webhooks == 0))
        and all(check(event.created, bound) for check, bound in created)
        and any(fnmatch.fnmatchcase(event.type, pattern) for pattern in patterns)
    ]
    data, has_more = page(matching, p)
    p.reject_unknown()
    return list_json("/v1/events", [event.to_json() for event in data], has_more)


def _created_filter(p: Params) -> list[tuple[Any, int]]:
    raw = p.values.get("created")
    if isinstance(raw, str):
        exact = p.require_integer("created", minimum=0)
        return [(_RANGE_OPERATORS["gte"], exact), (_RANGE_OPERATORS["lte"], exact)]
    bounds = p.mapping("created")
    checks = []
    for operator, value in bounds.items():
        if operator not in _RANGE_OPERATORS or not str(value).isdigit():
            raise InvalidRequestError(f"Invalid created[{operator}]", param="created")
        checks.append((_RANGE_OPERATORS[operator], int(value)))
    return checks
