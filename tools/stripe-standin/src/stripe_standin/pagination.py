"""Stripe's cursor pagination: `limit`, `starting_after`, `ending_before` (newest first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from stripe_standin.errors import InvalidRequestError
from stripe_standin.params import Params


class HasId(Protocol):
    """Any stored object."""

    id: str


T = TypeVar("T", bound=HasId)


def page(items: Sequence[T], p: Params) -> tuple[list[T], bool]:
    """One page of `items` (already newest first) and whether more follow."""
    limit = p.integer("limit") or 10
    if limit > 100:
        raise InvalidRequestError("This value must be less than or equal to 100.", param="limit")
    starting_after = p.string("starting_after")
    ending_before = p.string("ending_before")
    ids = [item.id for item in items]
    if starting_after is not None:
        start = _position(ids, starting_after, "starting_after") + 1
        window = items[start : start + limit]
        return list(window), start + limit < len(items)
    if ending_before is not None:
        end = _position(ids, ending_before, "ending_before")
        window = items[max(0, end - limit) : end]
        return list(window), end - limit > 0
    return list(items[:limit]), limit < len(items)


def _position(ids: list[str], cursor: str, param: str) -> int:
    try:
        return ids.index(cursor)
    except ValueError:
        raise InvalidRequestError(
            f"Invalid {param}: no object with id '{cursor}' in this list.", param=param
        ) from None
