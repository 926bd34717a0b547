"""Reviews of studios, and the names of their writers as identity announces them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Select,
    SmallInteger,
    Table,
    Text,
    Uuid,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from catalog.db.base import metadata
from catalog.domain.reviews import Review
from catalog.domain.search import Cursor
from service_runtime.user_names import user_names_table

reviews = Table(
    "reviews",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, ForeignKey("studios.id", ondelete="CASCADE"), nullable=False),
    Column("booking_id", Uuid, nullable=False, unique=True),
    Column("booker_id", Uuid, nullable=False),
    Column("rating", SmallInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answer", Text),
    Column("answered_at", DateTime(timezone=True)),
    CheckConstraint("rating BETWEEN 1 AND 5", name="reviews_rating_range"),
    Index("reviews_studio_newest", "studio_id", "created_at", "id"),
)

# Identity's names of its users (from UserCreated and UserUpdated), for reviews to show who
# wrote them without asking identity at read time; `named_at` keeps a late event from winning.
reviewer_names = user_names_table(metadata, "reviewer_names")


def _review(row: Any) -> Review:
    return Review(
        id=row.id,
        studio_id=row.studio_id,
        booking_id=row.booking_id,
        booker_id=row.booker_id,
        rating=row.rating,
        text=row.text,
        created_at=row.created_at,
        answer=row.answer,
        answered_at=row.answered_at,
        reviewer_name=row.reviewer_name,
    )


def _reviews_named() -> Select[Any]:
    """Reviews with their booker's name, when identity has told catalog one."""
    return select(reviews, reviewer_names.c.name.label("reviewer_name")).outerjoin(
        reviewer_names, reviewer_names.c.user_id == reviews.c.booker_id
    )


class SqlReviews:
    """Reviews of studios and the names of their reviewers."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def user_name(self, user_id: uuid.UUID) -> str | None:
        query = select(reviewer_names.c.name).where(reviewer_names.c.user_id == user_id)
        name: str | None = (await self._session.execute(query)).scalar_one_or_none()
        return name

    async def review_exists_for(self, booking_id: uuid.UUID) -> bool:
        query = select(reviews.c.id).where(reviews.c.booking_id == booking_id)
        return (await self._session.execute(query)).first() is not None

    async def add(self, review: Review) -> None:
        await self._session.execute(
            insert(reviews).values(
                id=review.id,
                studio_id=review.studio_id,
                booking_id=review.booking_id,
                booker_id=review.booker_id,
                rating=review.rating,
                text=review.text,
                created_at=review.created_at,
            )
        )

    async def review_for_update(self, studio_id: uuid.UUID, review_id: uuid.UUID) -> Review | None:
        row = (
            await self._session.execute(
                _reviews_named()
                .where(and_(reviews.c.id == review_id, reviews.c.studio_id == studio_id))
                .with_for_update(of=reviews)
            )
        ).first()
        return _review(row) if row else None

    async def save_answer(self, review: Review) -> None:
        await self._session.execute(
            update(reviews)
            .where(reviews.c.id == review.id)
            .values(answer=review.answer, answered_at=review.answered_at)
        )

    async def reviews_of(
        self, studio_id: uuid.UUID, *, limit: int, after: Cursor | None
    ) -> list[Review]:
        """A studio's reviews, newest first; the cursor's key is created_at in microseconds."""
        created_us = func.floor(func.extract("epoch", reviews.c.created_at) * 1_000_000)
        query = _reviews_named().where(reviews.c.studio_id == studio_id)
        if after is not None:
            query = query.where(
                or_(
                    created_us < after.key,
                    and_(created_us == after.key, reviews.c.id > after.last_id),
                )
            )
        query = query.order_by(reviews.c.created_at.desc(), reviews.c.id).limit(limit)
        return [_review(row) for row in (await self._session.execute(query)).all()]
