"""Reviews: a booker reviews a studio once per completed booking; the owner answers once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from catalog.domain.ratings import MAX_RATING, MIN_RATING, InvalidRating
from catalog.domain.studios import CatalogError


class ReviewNotAllowed(CatalogError):
    def __init__(
        self, reason: str = "Only the booker of a completed booking of this studio may review it."
    ) -> None:
        super().__init__(reason)


class AlreadyReviewed(CatalogError):
    def __init__(self, booking_id: uuid.UUID) -> None:
        super().__init__(f"Booking {booking_id} has been reviewed already.")


class AlreadyAnswered(CatalogError):
    def __init__(self) -> None:
        super().__init__("The owner has answered this review already.")


class ReviewNotFound(CatalogError):
    def __init__(self, review_id: object) -> None:
        super().__init__(f"No review {review_id} of this studio.")


@dataclass(frozen=True)
class CompletedBooking:
    """What catalog keeps of a BookingCompleted: enough to tell who may review what."""

    booking_id: uuid.UUID
    booker_id: uuid.UUID
    studio_id: uuid.UUID
    completed_at: datetime


@dataclass(frozen=True)
class Review:
    id: uuid.UUID
    studio_id: uuid.UUID
    booking_id: uuid.UUID
    booker_id: uuid.UUID
    rating: int
    text: str
    created_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
    reviewer_name: str | None = None  # the booker's name, as identity last announced it


def new_review(
    booking: CompletedBooking | None,
    *,
    studio_id: uuid.UUID,
    studio_owner_id: uuid.UUID,
    booker_id: uuid.UUID,
    rating: int,
    text: str,
    now: datetime,
) -> Review:
    """A review of a completed booking, by its booker, of the studio it was in.

    The studio's owner never reviews it, even after booking it themselves: a rating is what
    other people found there. An admin reviews like anyone else, only bookings of their own.
    """
    if booking is None or booking.booker_id != booker_id or booking.studio_id != studio_id:
        raise ReviewNotAllowed()
    if booker_id == studio_owner_id:
        raise ReviewNotAllowed("A studio's owner cannot review their own studio.")
    if not MIN_RATING <= rating <= MAX_RATING:
        raise InvalidRating(rating)
    return Review(
        id=uuid.uuid4(),
        studio_id=studio_id,
        booking_id=booking.booking_id,
        booker_id=booker_id,
        rating=rating,
        text=text.strip(),
        created_at=now,
    )


def answered(review: Review, answer: str, now: datetime) -> Review:
    """The review with the owner's one answer."""
    if review.answer is not None:
        raise AlreadyAnswered()
    return replace(review, answer=answer.strip(), answered_at=now)
