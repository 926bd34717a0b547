"""Bodies of reviews: a booker's review, an owner's answer, and reviews as served."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from catalog.domain.ratings import MAX_RATING, MIN_RATING
from catalog.domain.reviews import Review
from contracts.values import PlainText, WholeNumber

ReviewText = Annotated[PlainText, Field(max_length=5000)]


class ReviewIn(BaseModel):
    booking_id: uuid.UUID
    rating: Annotated[WholeNumber, Field(ge=MIN_RATING, le=MAX_RATING)]
    text: ReviewText = ""


class AnswerIn(BaseModel):
    text: Annotated[ReviewText, Field(min_length=1)]


class ReviewOut(BaseModel):
    id: uuid.UUID
    studio_id: uuid.UUID
    booking_id: uuid.UUID
    booker_id: uuid.UUID
    rating: int
    text: str
    created_at: datetime
    answer: str | None
    answered_at: datetime | None
    reviewer_name: str | None = Field(
        description=(
            "The booker's name as identity last announced it; null until it has; "
            '"deleted user" once the booker deleted their account.'
        )
    )

    @classmethod
    def of(cls, review: Review) -> ReviewOut:
        return cls(
            id=review.id,
            studio_id=review.studio_id,
            booking_id=review.booking_id,
            booker_id=review.booker_id,
            rating=review.rating,
            text=review.text,
            created_at=review.created_at,
            answer=review.answer,
            answered_at=review.answered_at,
            reviewer_name=review.reviewer_name,
        )


class ReviewPageOut(BaseModel):
    items: list[ReviewOut]
    next_cursor: str | None
