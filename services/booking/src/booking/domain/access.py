"""Who may see and act on a booking, decided on the loaded booking and its studio (the rule of
every service: the route says who is calling, the domain decides on the object)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from booking.domain.booking import Booking, NotAllowed
from contracts.booking import CancelledBy


class Side(StrEnum):
    """The caller's part in a booking."""

    ADMIN = "admin"
    BOOKER = "booker"
    OWNER = "owner"  # the booking's owner, or the studio's owner now (studios change hands)


def side_of(
    booking: Booking, studio_owner_id: uuid.UUID | None, user_id: uuid.UUID, *, is_admin: bool
) -> Side:
    """The caller's side, checked: `NotAllowed` for anyone who has none."""
    return side_among(
        booking.booker_id, (booking.owner_id, studio_owner_id), user_id, is_admin=is_admin
    )


def side_among(
    booker_id: uuid.UUID,
    owner_ids: tuple[uuid.UUID | None, ...],
    user_id: uuid.UUID,
    *,
    is_admin: bool,
) -> Side:
    """`side_of` on a booking's parties alone: its booker, and its owner and its studio's."""
    if is_admin:
        return Side.ADMIN
    if user_id == booker_id:
        return Side.BOOKER
    if user_id in owner_ids:
        return Side.OWNER
    raise NotAllowed("only the booker, the studio's owner and admins see this booking")


def canceller(side: Side) -> CancelledBy:
    return {
        Side.ADMIN: CancelledBy.ADMIN,
        Side.BOOKER: CancelledBy.BOOKER,
        Side.OWNER: CancelledBy.OWNER,
    }[side]


def check_runs_the_session(side: Side, action: str) -> None:
    """Answering a request, completing a session or reporting a no-show is the studio's (or an
    admin's) call."""
    if side is Side.BOOKER:
        raise NotAllowed(f"only the studio's owner or an admin may {action} a booking")
