"""Reviews: bookers review completed bookings, owners answer, anyone who may see the studio
reads them; and the reviewers' names catalog keeps from identity."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from catalog.domain import changes as rules
from catalog.domain import reviews as review_rules
from catalog.domain.reviews import AlreadyReviewed, Review, ReviewNotFound
from catalog.domain.search import Cursor, InvalidSearch
from catalog.domain.studios import Actor, NotStudioOwner, StudioNotFound
from catalog.repositories import CatalogUnits

REVIEWS_ORDER = "reviews_newest"
MAX_REVIEWER_NAME = 200  # identity's bound on a person's name; a longer one is cut, not refused


def reviewer_name(name: str) -> str:
    """What catalog keeps of identity's name of a user, for the reviews they write."""
    return name[:MAX_REVIEWER_NAME]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def add_review(
    units: CatalogUnits,
    *,
    booker_id: uuid.UUID,
    studio_id: uuid.UUID,
    booking_id: uuid.UUID,
    rating: int,
    text: str,
) -> Review:
    """A booker's review of a completed booking; the studio's rating moves in the same commit."""
    async with units.begin() as unit:
        locked = await unit.studios.owner_and_rating_for_update(studio_id)
        if locked is None:
            raise StudioNotFound(studio_id)
        owner_id, summary = locked
        booking = await unit.bookings.completed_booking(booking_id)
        review = review_rules.new_review(
            booking,
            studio_id=studio_id,
            studio_owner_id=owner_id,
            booker_id=booker_id,
            rating=rating,
            text=text,
            now=unit.now,
        )
        if await unit.reviews.review_exists_for(booking_id):
            raise AlreadyReviewed(booking_id)
        await unit.reviews.add(review)
        await unit.studios.save_rating(studio_id, summary.with_rating(rating))
        review = replace(review, reviewer_name=await unit.reviews.user_name(booker_id))
    return review


async def answer_review(
    units: CatalogUnits, actor: Actor, studio_id: uuid.UUID, review_id: uuid.UUID, answer: str
) -> Review:
    """The studio owner's one answer to a review."""
    async with units.begin() as unit:
        studio = await unit.studios.studio_by(studio_id=studio_id)
        if studio is None:
            raise StudioNotFound(studio_id)
        if studio.owner_id != actor.user_id:
            raise NotStudioOwner()
        review = await unit.reviews.review_for_update(studio_id, review_id)
        if review is None:
            raise ReviewNotFound(review_id)
        review = review_rules.answered(review, answer, unit.now)
        await unit.reviews.save_answer(review)
    return review


async def studio_reviews(
    units: CatalogUnits,
    studio_id: uuid.UUID,
    viewer: Actor | None,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Review], str | None]:
    """A page of a studio's reviews, newest first, and the cursor of the next page; seen by
    whoever may see the studio."""
    after = Cursor.decode(cursor) if cursor else None
    if after is not None and after.sort != REVIEWS_ORDER:
        raise InvalidSearch("cursor: not a cursor of this list of reviews")
    async with units.begin() as unit:
        studio = await unit.studios.studio_by(studio_id=studio_id)
        if studio is None or not rules.visible_to(studio, viewer):
            raise StudioNotFound(studio_id)
        page = await unit.reviews.reviews_of(studio_id, limit=limit + 1, after=after)
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    micros = (last.created_at - _EPOCH) // timedelta(microseconds=1)
    return page[:limit], Cursor(REVIEWS_ORDER, micros, last.id).encode()
