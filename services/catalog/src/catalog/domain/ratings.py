"""Review ratings and the running average a studio keeps of them."""

from __future__ import annotations

from dataclasses import dataclass

MIN_RATING = 1
MAX_RATING = 5


class InvalidRating(ValueError):
    def __init__(self, stars: int) -> None:
        super().__init__(f"A rating is {MIN_RATING} to {MAX_RATING} stars, not {stars}.")


@dataclass(frozen=True)
class RatingSummary:
    """The sum and count of a studio's ratings; the average is derived, never stored alone."""

    total: int = 0
    count: int = 0

    @property
    def average(self) -> float | None:
        """The mean rating rounded to two decimals, None before the first review."""
        if self.count == 0:
            return None
        return round(self.total / self.count, 2)

    def with_rating(self, stars: int) -> RatingSummary:
        """The summary after one more review of this many stars."""
        if not MIN_RATING <= stars <= MAX_RATING:
            raise InvalidRating(stars)
        return RatingSummary(total=self.total + stars, count=self.count + 1)
