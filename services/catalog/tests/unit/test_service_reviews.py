"""Reviews on in-memory fakes: the booker of a completed booking reviews once and moves the
rating, the owner answers once, and whoever may see the studio reads them newest first."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from catalog.domain.ratings import InvalidRating
from catalog.domain.reviews import (
    AlreadyAnswered,
    AlreadyReviewed,
    Review,
    ReviewNotAllowed,
    ReviewNotFound,
)
from catalog.domain.search import Cursor, InvalidSearch
from catalog.domain.studios import NotStudioOwner, Studio, StudioNotFound
from catalog.service import reviews, studio_changes

from .fakes import FakeCatalogUnits
from .service_world import NOW, admin, completed, draft, owner, published


async def review_of(
    units: FakeCatalogUnits, studio: Studio, *, rating: int = 4, booker: uuid.UUID | None = None
) -> Review:
    booker = booker or uuid.uuid4()
    booking_id = completed(units, studio.id, booker)
    return await reviews.add_review(
        units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=rating,
        text="  Good room  ",
    )  # fmt: skip


async def test_a_review_of_a_completed_booking_moves_the_rating_once(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())
    booker = uuid.uuid4()
    units.tables.user_names[booker] = "Bea"
    booking_id = completed(units, studio.id, booker)

    review = await reviews.add_review(
        units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=4, text="Good"
    )
    with pytest.raises(AlreadyReviewed):
        await reviews.add_review(
            units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=1,
            text="Again",
        )  # fmt: skip

    rating = units.tables.studios[studio.id].rating
    assert (rating.total, rating.count, rating.average) == (4, 1, 4.0)
    assert (review.reviewer_name, review.created_at, review.text) == ("Bea", NOW, "Good")
    assert list(units.tables.reviews) == [review.id]


async def test_ratings_of_several_reviews_average_to_two_decimals(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())

    for stars in (5, 4, 4):
        await review_of(units, studio, rating=stars)

    rating = units.tables.studios[studio.id].rating
    assert (rating.total, rating.count, rating.average) == (13, 3, 4.33)


async def test_only_the_booker_of_a_completed_booking_of_this_studio_reviews(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())
    elsewhere = await published(units, owner())
    booker = uuid.uuid4()
    booking_id = completed(units, elsewhere.id, booker)

    for who, booking in ((uuid.uuid4(), booking_id), (booker, uuid.uuid4())):
        with pytest.raises(ReviewNotAllowed):
            await reviews.add_review(
                units, booker_id=who, studio_id=elsewhere.id, booking_id=booking, rating=5,
                text="Never came",
            )  # fmt: skip
    with pytest.raises(ReviewNotAllowed):
        await reviews.add_review(
            units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=5,
            text="Wrong studio",
        )  # fmt: skip

    assert units.tables.reviews == {}
    assert units.tables.studios[studio.id].rating.count == 0


async def test_the_owner_never_reviews_their_own_studio_even_after_booking_it(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    studio = await published(units, me)

    with pytest.raises(ReviewNotAllowed, match="owner"):
        await review_of(units, studio, booker=me.user_id)

    assert units.tables.studios[studio.id].rating.count == 0


async def test_an_admin_reviews_only_a_booking_of_their_own(units: FakeCatalogUnits) -> None:
    studio = await published(units, owner())
    moderator = admin()
    theirs = completed(units, studio.id, uuid.uuid4())

    with pytest.raises(ReviewNotAllowed):
        await reviews.add_review(
            units, booker_id=moderator.user_id, studio_id=studio.id, booking_id=theirs,
            rating=1, text="Moderating",
        )  # fmt: skip
    review = await review_of(units, studio, booker=moderator.user_id)

    assert review.booker_id == moderator.user_id


async def test_a_rating_out_of_bounds_or_an_unknown_studio_stores_nothing(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())

    with pytest.raises(InvalidRating):
        await review_of(units, studio, rating=6)
    with pytest.raises(StudioNotFound):
        await review_of(units, replace(studio, id=uuid.uuid4()))

    assert units.tables.reviews == {}
    assert units.tables.studios[studio.id].rating.count == 0


async def test_the_owner_answers_a_review_once(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)
    review = await review_of(units, studio)

    answered = await reviews.answer_review(units, me, studio.id, review.id, " Thank you! ")
    with pytest.raises(AlreadyAnswered):
        await reviews.answer_review(units, me, studio.id, review.id, "Thanks again")

    stored = units.tables.reviews[review.id]
    assert (answered.answer, answered.answered_at) == ("Thank you!", NOW)
    assert (stored.answer, stored.answered_at, stored.rating) == ("Thank you!", NOW, 4)


async def test_nobody_but_the_owner_answers_not_even_an_admin(units: FakeCatalogUnits) -> None:
    studio = await published(units, owner())
    review = await review_of(units, studio)

    for someone in (owner(), admin()):
        with pytest.raises(NotStudioOwner):
            await reviews.answer_review(units, someone, studio.id, review.id, "Thanks?")

    assert units.tables.reviews[review.id].answer is None


async def test_an_answer_names_a_review_of_this_studio(units: FakeCatalogUnits) -> None:
    me = owner()
    mine, other = await published(units, me), await published(units, owner())
    review_elsewhere = await review_of(units, other)

    with pytest.raises(ReviewNotFound):
        await reviews.answer_review(units, me, mine.id, review_elsewhere.id, "Mine?")
    with pytest.raises(StudioNotFound):
        await reviews.answer_review(units, me, uuid.uuid4(), review_elsewhere.id, "Anyone?")

    assert units.tables.reviews[review_elsewhere.id].answer is None


async def test_reviews_come_newest_first_a_page_at_a_time_with_their_names(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())
    written = []
    for hours_ago in (3, 1, 2):
        units.outbox.clock = lambda at=NOW - timedelta(hours=hours_ago): at
        written.append(await review_of(units, studio))
    units.tables.user_names[written[1].booker_id] = "Newest Booker"

    first, cursor = await reviews.studio_reviews(units, studio.id, None, limit=2, cursor=None)
    rest, end = await reviews.studio_reviews(units, studio.id, None, limit=2, cursor=cursor)

    assert [r.id for r in first + rest] == [written[1].id, written[2].id, written[0].id]
    assert first[0].reviewer_name == "Newest Booker"
    assert cursor is not None
    assert end is None


async def test_reviews_of_a_studio_not_published_are_hidden_from_the_public(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    studio = await published(units, me)
    review = await review_of(units, studio)
    await studio_changes.unlist(units, me, studio.id, expected_version=None)

    with pytest.raises(StudioNotFound):
        await reviews.studio_reviews(units, studio.id, None, limit=5, cursor=None)
    with pytest.raises(StudioNotFound):
        await reviews.studio_reviews(units, studio.id, owner(), limit=5, cursor=None)
    for viewer in (me, admin()):
        page, _ = await reviews.studio_reviews(units, studio.id, viewer, limit=5, cursor=None)
        assert [r.id for r in page] == [review.id]


async def test_a_cursor_of_another_list_is_refused(units: FakeCatalogUnits) -> None:
    studio = await draft(units, owner())
    search_cursor = Cursor("price", 4500, studio.id).encode()

    with pytest.raises(InvalidSearch, match="cursor"):
        await reviews.studio_reviews(units, studio.id, None, limit=5, cursor=search_cursor)


def test_a_reviewer_name_longer_than_identity_allows_is_cut_not_refused() -> None:
    assert reviews.reviewer_name("Bea") == "Bea"
    assert reviews.reviewer_name("x" * 250) == "x" * reviews.MAX_REVIEWER_NAME
