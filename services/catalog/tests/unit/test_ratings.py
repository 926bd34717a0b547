"""The rating summary: sum and count, an average rounded to two decimals."""

from __future__ import annotations

import pytest

from catalog.domain.ratings import InvalidRating, RatingSummary


def test_no_reviews_means_no_average() -> None:
    assert RatingSummary().average is None


def test_average_follows_each_new_rating() -> None:
    summary = RatingSummary().with_rating(5).with_rating(4).with_rating(4)
    assert (summary.total, summary.count) == (13, 3)
    assert summary.average == 4.33


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_ratings_outside_one_to_five_are_refused(stars: int) -> None:
    with pytest.raises(InvalidRating):
        RatingSummary().with_rating(stars)
