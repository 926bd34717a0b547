"""Reviews of a studio: by bookers of completed bookings, answered once by the owner."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from catalog.api.deps import CatalogUnitsDep, ViewerDep, actor_of
from catalog.api.schemas.reviews import AnswerIn, ReviewIn, ReviewOut, ReviewPageOut
from catalog.domain.search import DEFAULT_LIMIT, MAX_LIMIT
from catalog.service import reviews as review_service
from service_runtime.auth import CurrentUser, OwnerUser

router = APIRouter(tags=["reviews"])


@router.get("/api/studios/{studio_id}/reviews")
async def studio_reviews(
    studio_id: uuid.UUID,
    units: CatalogUnitsDep,
    viewer: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ReviewPageOut:
    """The reviews of a studio whoever asks may see (published, or their own, or any for
    admins)."""
    reviews, next_cursor = await review_service.studio_reviews(
        units, studio_id, viewer, limit=limit, cursor=cursor
    )
    return ReviewPageOut(items=[ReviewOut.of(r) for r in reviews], next_cursor=next_cursor)


@router.post("/api/studios/{studio_id}/reviews", status_code=status.HTTP_201_CREATED)
async def add_review(
    studio_id: uuid.UUID, body: ReviewIn, user: CurrentUser, units: CatalogUnitsDep
) -> ReviewOut:
    review = await review_service.add_review(
        units,
        booker_id=actor_of(user).user_id,
        studio_id=studio_id,
        booking_id=body.booking_id,
        rating=body.rating,
        text=body.text,
    )
    return ReviewOut.of(review)


@router.post("/api/studios/{studio_id}/reviews/{review_id}/answer")
async def answer_review(
    studio_id: uuid.UUID,
    review_id: uuid.UUID,
    body: AnswerIn,
    owner: OwnerUser,
    units: CatalogUnitsDep,
) -> ReviewOut:
    review = await review_service.answer_review(
        units, actor_of(owner), studio_id, review_id, body.text
    )
    return ReviewOut.of(review)
