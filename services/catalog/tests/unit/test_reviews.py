"""Who may review a studio: the booker of a completed booking of it, never its owner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from catalog.domain.reviews import CompletedBooking, Review, ReviewNotAllowed, new_review

NOW = datetime(2026, 3, 2, tzinfo=UTC)
STUDIO_ID = uuid.uuid4()
OWNER_ID = uuid.uuid4()


def completed_by(booker_id: uuid.UUID) -> CompletedBooking:
    return CompletedBooking(uuid.uuid4(), booker_id, STUDIO_ID, NOW)


def review_by(booker_id: uuid.UUID, booking: CompletedBooking | None) -> Review:
    return new_review(
        booking,
        studio_id=STUDIO_ID,
        studio_owner_id=OWNER_ID,
        booker_id=booker_id,
        rating=5,
        text=" Lovely ",
        now=NOW,
    )


def test_the_booker_of_a_completed_booking_reviews_the_studio() -> None:
    booker_id = uuid.uuid4()
    booking = completed_by(booker_id)

    review = review_by(booker_id, booking)

    assert (review.booking_id, review.booker_id, review.text) == (
        booking.booking_id,
        booker_id,
        "Lovely",
    )


def test_the_owner_cannot_review_their_own_studio_after_booking_it() -> None:
    with pytest.raises(ReviewNotAllowed, match="owner"):
        review_by(OWNER_ID, completed_by(OWNER_ID))


@pytest.mark.parametrize("booking", [None, completed_by(uuid.uuid4())])
def test_nobody_reviews_without_a_completed_booking_of_their_own(
    booking: CompletedBooking | None,
) -> None:
    with pytest.raises(ReviewNotAllowed):
        review_by(uuid.uuid4(), booking)
